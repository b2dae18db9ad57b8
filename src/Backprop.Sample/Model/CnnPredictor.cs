using System.Numerics.Tensors;
using static Backprop.MatrixOps;

namespace Backprop.Sample.Model;

/// <summary>
/// The CNN's forward pass alone, for predictions: the argmax of <see cref="Cnn.Logits"/> row by row, over a data set
/// in chunks of rows, through the operations' destination forms into buffers kept from call to call.
/// </summary>
/// <param name="model">The parameters; read at every call, so the predictor follows a model being trained.</param>
/// <param name="chunkRows">How many rows one forward pass takes; the training batch size by default.</param>
public sealed class CnnPredictor(Cnn model, int chunkRows = 100) : IPredictor
{
    private Matrix<float>? _inputs, _convolved1, _pooled1, _hidden1, _convolved2, _pooled2, _hidden2, _logits;

    /// <inheritdoc/>
    public void Predict(Matrix<float> images, Span<int> predictions)
    {
        if (predictions.Length != images.Rows)
            throw new ArgumentException($"{predictions.Length} predictions for {images.Rows} images.", nameof(predictions));
        if (images.Columns != model.Inputs)
            throw new ArgumentException($"Images of {images.Columns} pixels, but the model takes {model.Inputs}.", nameof(images));
        for (int start = 0; start < images.Rows; start += chunkRows)
        {
            int rows = Math.Min(chunkRows, images.Rows - start);
            Matrix<float> inputs = Matrix<float>.Reuse(ref _inputs, rows, images.Columns);
            images.Span.Slice(start * images.Columns, rows * images.Columns).CopyTo(inputs.Span);
            Matrix<float> logits = Logits(inputs);
            for (int row = 0; row < rows; row++)
                predictions[start + row] = TensorPrimitives.IndexOfMax<float>(logits.Row(row));
        }
    }

    /// <summary><see cref="Cnn.Logits"/>, written with the destination forms of its operations.</summary>
    private Matrix<float> Logits(Matrix<float> x)
    {
        Matrix<float> h1 = Layer(x, model.K1, model.c1, Cnn.FirstConvolution, Cnn.FirstPooling, ref _convolved1, ref _pooled1, ref _hidden1);
        Matrix<float> h2 = Layer(h1, model.K2, model.c2, Cnn.SecondConvolution, Cnn.SecondPooling, ref _convolved2, ref _pooled2, ref _hidden2);
        var (rows, columns) = MatMulShape(h2, model.W);
        Matrix<float> logits = Matrix<float>.Reuse(ref _logits, rows, columns);
        MatMul(h2, model.W, logits);
        Plus(logits, model.b, logits);
        return logits;
    }

    /// <summary><c>Relu(AddChannelBias(MaxPool2D(Conv2D(x, K, convolution), pooling), c))</c>.</summary>
    private static Matrix<float> Layer(Matrix<float> x, Matrix<float> K, Matrix<float> c, Conv2DGeometry convolution, Pool2DGeometry pooling,
        ref Matrix<float>? convolved, ref Matrix<float>? pooled, ref Matrix<float>? hidden)
    {
        var (convolvedRows, convolvedColumns) = Conv2DShape(x, K, convolution);
        Matrix<float> features = Matrix<float>.Reuse(ref convolved, convolvedRows, convolvedColumns);
        Conv2D(x, K, convolution, features);
        var (pooledRows, pooledColumns) = MaxPool2DShape(features, pooling);
        Matrix<float> maxima = Matrix<float>.Reuse(ref pooled, pooledRows, pooledColumns);
        MaxPool2D(features, pooling, maxima);
        Matrix<float> result = Matrix<float>.Reuse(ref hidden, pooledRows, pooledColumns);
        AddChannelBias(maxima, c, result);
        Relu(result, result);
        return result;
    }
}
