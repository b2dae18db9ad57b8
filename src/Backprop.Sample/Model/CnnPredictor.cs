using System.Numerics.Tensors;

namespace Backprop.Sample.Model;

/// <summary>
/// The CNN's forward pass alone, for predictions: the argmax of <see cref="Cnn.Logits"/> row by row, over a data set
/// in chunks of rows, through the generated layer's workspace, which reuses its buffers from call to call.
/// </summary>
/// <param name="model">The parameters; read at every call, so the predictor follows a model being trained.</param>
/// <param name="chunkRows">How many rows one forward pass takes; the training batch size by default, so the workspace keeps the shapes it already has.</param>
public sealed class CnnPredictor(CnnParameters model, int chunkRows = 100) : IPredictor
{
    private Matrix<float>? _inputs;

    /// <inheritdoc/>
    public void Predict(Matrix<float> images, Span<int> predictions)
    {
        if (predictions.Length != images.Rows)
            throw new ArgumentException($"{predictions.Length} predictions for {images.Rows} images.", nameof(predictions));
        if (images.Columns != model.Inputs)
            throw new ArgumentException($"Images of {images.Columns} pixels, but the model takes {model.Inputs}.", nameof(images));
        var workspace = Cnn.LogitsWorkspace.Current;
        for (int start = 0; start < images.Rows; start += chunkRows)
        {
            int rows = Math.Min(chunkRows, images.Rows - start);
            Matrix<float> inputs = Matrix<float>.Reuse(ref _inputs, rows, images.Columns);
            images.Span.Slice(start * images.Columns, rows * images.Columns).CopyTo(inputs.Span);
            Matrix<float> logits = workspace.Forward(model.K1, model.C1, model.K2, model.C2, model.W, model.B, inputs);
            for (int row = 0; row < rows; row++)
                predictions[start + row] = TensorPrimitives.IndexOfMax<float>(logits.Row(row));
        }
    }
}
