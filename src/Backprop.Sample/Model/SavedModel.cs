using Backprop.Data;
using Backprop.Sample.Data;

namespace Backprop.Sample.Model;

/// <summary>
/// A model file of this sample: the network's parameters, as its walk names them (the MLP's W1, b1, W2 and b2, whose
/// shapes give its layer sizes, or the CNN's K1, c1, K2, c2, W and b), and the data set it was trained on. The
/// runtime's <see cref="ModelFile"/> stores named matrices, so the data set is one more: a
/// 1 × 1 matrix named <c>dataset=mnist</c> or <c>dataset=fashion</c>, which travels under the file's checksum like the
/// weights. Files saved before the data set was recorded load with <see cref="Dataset"/> null.
/// </summary>
/// <param name="Parameters">The network.</param>
/// <param name="Dataset">The data set it was trained on, or null if the file does not say.</param>
public sealed record SavedModel(INetwork Parameters, Dataset? Dataset)
{
    /// <summary>The start of the name of the matrix that records the data set; the <c>--dataset</c> name follows.</summary>
    public const string DatasetPrefix = "dataset=";

    /// <summary>What the file holds, e.g. <c>a 784-256-10 ReLU network trained on MNIST</c>.</summary>
    public string Description =>
        $"a {Parameters.Description} network trained on {(Dataset is { } dataset ? DatasetClasses.DisplayName(dataset) : "an unrecorded data set")}";

    /// <summary>Writes <paramref name="parameters"/> and <paramref name="dataset"/> to <paramref name="path"/> (atomically, as <see cref="ModelFile.Save"/> does).</summary>
    public static void Save(string path, INetwork parameters, Dataset dataset) =>
        ModelFile.Save(path, [.. parameters.Tensors(), (DatasetPrefix + DatasetNames.Name(dataset), new Matrix<float>(1, 1))]);

    /// <summary>Reads a model file written by <see cref="Save"/>, or by the sample before it recorded the data set.</summary>
    /// <exception cref="InvalidDataException">The file is not a model file, its tensors are not this sample's network, or it names an unknown data set.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
    public static SavedModel Load(string path)
    {
        var tensors = ModelFile.Load(path);
        (string Name, Matrix<float> Values)[] datasets = [.. tensors.Where(t => t.Name.StartsWith(DatasetPrefix, StringComparison.Ordinal))];
        if (datasets.Length > 1)
            throw new InvalidDataException($"{path}: records {datasets.Length} data sets ({string.Join(", ", datasets.Select(d => d.Name))}); a model is trained on one.");
        (string Name, Matrix<float> Values)[] parameters = [.. tensors.Except(datasets)];
        // The CNN's first filters are named as nothing of the MLP's.
        INetwork network = parameters.Any(t => t.Name == Cnn.FirstKernelName) ? Cnn.ShapedFor(path, parameters) : Mlp.ShapedFor(path, parameters);
        ModelFile.CopyInto(parameters, network, path);
        return new SavedModel(network, datasets is [var dataset] ? ParseDataset(path, dataset.Name) : null);
    }

    private static Dataset ParseDataset(string path, string tensorName)
    {
        string name = tensorName[DatasetPrefix.Length..];
        try
        {
            return DatasetNames.Parse(name);
        }
        catch (ArgumentException)
        {
            throw new InvalidDataException($"{path}: trained on a data set named '{name}', which this sample does not know (it knows mnist and fashion).");
        }
    }
}
