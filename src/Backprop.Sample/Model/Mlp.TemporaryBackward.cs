// TEMPORARY: replaced by the generated LossGradient when the matrix generator lands.
using System.Numerics;
using System.Numerics.Tensors;
using static Backprop.MatrixOps;

namespace Backprop.Sample.Model;

public static partial class Mlp
{
    /// <summary>
    /// The gradient of <see cref="Loss"/> with respect to W1, b1, W2 and b2, written into the four gradient
    /// buffers (same shapes as the parameters, overwritten); returns the loss. Allocation-free after the
    /// first call for a shape.
    /// </summary>
    public static float LossGradient(Matrix<float> W1, Matrix<float> b1, Matrix<float> W2, Matrix<float> b2,
        Matrix<float> x, Matrix<float> t, Matrix<float> dW1, Matrix<float> db1, Matrix<float> dW2, Matrix<float> db2)
    {
        Workspace work = Workspace.For(x.Rows, W1.Columns, W2.Columns);
        Matrix<float> h = work.Hidden, y = work.Logits, dy = work.LogitsGradient, dh = work.HiddenGradient;

        // Forward: h = relu(x·W1 + b1), y = h·W2 + b2, loss = SoftmaxCrossEntropy(y, t).
        MatMul(x, W1, h);
        AddRowVector(h, b1, h);
        Relu(h, h);
        MatMul(h, W2, y);
        AddRowVector(y, b2, y);
        float loss = SoftmaxCrossEntropy(y, t);

        // dy = (softmax(y)·Σⱼtᵢⱼ − t) / batch, the gradient of the mean cross-entropy.
        Softmax(y, dy);
        for (int i = 0; i < dy.Rows; i++)
        {
            Span<float> row = dy.Row(i);
            TensorPrimitives.Multiply(row, TensorPrimitives.Sum<float>(t.Row(i)), row);
            TensorPrimitives.Subtract(row, t.Row(i), row);
        }
        TensorPrimitives.Multiply(dy.Span, 1f / x.Rows, dy.Span);

        // Output layer: dW2 = hᵀ·dy, db2 = Σᵢ dy, dh = dy·W2ᵀ.
        MatMul(h, dy, dW2, transposeA: true);
        ColumnSums(dy, db2);
        MatMul(dy, W2, dh, transposeB: true);

        // ReLU: the gradient passes where the unit was active (h > 0 exactly where x·W1 + b1 > 0).
        PassWhereActive(h.Span, dh.Span);

        // Hidden layer: dW1 = xᵀ·dh, db1 = Σᵢ dh.
        MatMul(x, dh, dW1, transposeA: true);
        ColumnSums(dh, db1);
        return loss;
    }

    /// <summary><c>gradient[i] = 0</c> wherever <c>activation[i] ≤ 0</c>.</summary>
    private static void PassWhereActive(ReadOnlySpan<float> activation, Span<float> gradient)
    {
        int i = 0;
        for (; i <= activation.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var active = Vector.GreaterThan(new Vector<float>(activation[i..]), Vector<float>.Zero);
            Vector.ConditionalSelect(active, new Vector<float>(gradient[i..]), Vector<float>.Zero).CopyTo(gradient[i..]);
        }
        for (; i < activation.Length; i++)
            if (!(activation[i] > 0))
                gradient[i] = 0;
    }

    /// <summary>The intermediate matrices of one shape, kept per thread so that steady-state calls allocate nothing.</summary>
    private sealed class Workspace(int batch, int hidden, int classes)
    {
        // A training run alternates between at most two batch shapes (full and last partial batch).
        [ThreadStatic] private static Workspace?[]? t_recent;

        public Matrix<float> Hidden { get; } = new(batch, hidden);
        public Matrix<float> HiddenGradient { get; } = new(batch, hidden);
        public Matrix<float> Logits { get; } = new(batch, classes);
        public Matrix<float> LogitsGradient { get; } = new(batch, classes);

        public static Workspace For(int batch, int hidden, int classes)
        {
            Workspace?[] recent = t_recent ??= new Workspace?[2];
            foreach (Workspace? work in recent)
                if (work is not null && work.Hidden.Rows == batch && work.Hidden.Columns == hidden && work.Logits.Columns == classes)
                    return work;
            recent[1] = recent[0];
            recent[0] = new Workspace(batch, hidden, classes);
            return recent[0]!;
        }
    }
}
