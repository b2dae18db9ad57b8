namespace Backprop.Benchmarks.Matrix;

/// <summary>
/// The 784-100-10 network and one batch of 100 in float that the network benchmarks share: seeded weights, zero
/// biases, uniform random inputs (so the products take their dense route) and one-hot labels.
/// </summary>
internal sealed record NetworkBatch(Matrix<float> W1, Matrix<float> B1, Matrix<float> W2, Matrix<float> B2, Matrix<float> X, Matrix<float> T)
{
    public const int Batch = 100, Inputs = 784, Hidden = 100, Classes = 10;

    public static NetworkBatch Create()
    {
        var t = new Matrix<float>(Batch, Classes);
        var random = new Random(4);
        for (int i = 0; i < Batch; i++)
            t[i, random.Next(Classes)] = 1;
        return new NetworkBatch(
            Matrix<float>.RandomNormal(Inputs, Hidden, 0.01, seed: 1), new Matrix<float>(1, Hidden),
            Matrix<float>.RandomNormal(Hidden, Classes, 0.01, seed: 2), new Matrix<float>(1, Classes),
            Matrix<float>.RandomUniform(Batch, Inputs, 0, 1, seed: 3), t);
    }

    /// <summary>A matrix of each parameter's shape, in parameter order: gradient or product buffers.</summary>
    public (Matrix<float> W1, Matrix<float> B1, Matrix<float> W2, Matrix<float> B2) Buffers() =>
        (new(Inputs, Hidden), new(1, Hidden), new(Hidden, Classes), new(1, Classes));
}
