using System.Numerics.Tensors;
using static Backprop.MatrixOps;

namespace Backprop.Sample.Model;

/// <summary>
/// The network's forward pass alone, for predictions: <c>argmax(relu(x·W1 + b1)·W2 + b2)</c> row by row,
/// over a data set in chunks of rows, into buffers allocated once.
/// </summary>
/// <param name="model">The parameters; read at every call, so the predictor follows a model being trained.</param>
/// <param name="chunkRows">How many rows one forward pass takes.</param>
public sealed class MlpPredictor(Mlp model, int chunkRows = 1000) : IPredictor
{
    private Buffers? _full, _last;

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
            Buffers buffers = BuffersFor(rows);
            images.Span.Slice(start * images.Columns, rows * images.Columns).CopyTo(buffers.Inputs.Span);
            MatMul(buffers.Inputs, model.W1, buffers.Hidden);
            AddRowVector(buffers.Hidden, model.b1, buffers.Hidden);
            Relu(buffers.Hidden, buffers.Hidden);
            MatMul(buffers.Hidden, model.W2, buffers.Logits);
            AddRowVector(buffers.Logits, model.b2, buffers.Logits);
            for (int row = 0; row < rows; row++)
                predictions[start + row] = TensorPrimitives.IndexOfMax<float>(buffers.Logits.Row(row));
        }
    }

    private Buffers BuffersFor(int rows)
    {
        // A data set needs two shapes at most: full chunks and a shorter last one.
        if (rows == chunkRows)
            return _full ??= new Buffers(rows, model);
        if (_last?.Inputs.Rows != rows)
            _last = new Buffers(rows, model);
        return _last;
    }

    private sealed class Buffers(int rows, Mlp model)
    {
        public Matrix<float> Inputs { get; } = new(rows, model.Inputs);
        public Matrix<float> Hidden { get; } = new(rows, model.Hidden);
        public Matrix<float> Logits { get; } = new(rows, model.Classes);
    }
}
