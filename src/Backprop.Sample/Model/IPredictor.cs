namespace Backprop.Sample.Model;

/// <summary>Classifies images, one per row, reusing its buffers from call to call.</summary>
public interface IPredictor
{
    /// <summary>Writes the predicted class of each row of <paramref name="images"/> to <paramref name="predictions"/>.</summary>
    /// <exception cref="ArgumentException">The number of predictions is not the number of rows, or the rows are not the network's input size.</exception>
    void Predict(Matrix<float> images, Span<int> predictions);
}
