using Backprop.Data;
using Backprop.Sample.Data;

namespace Backprop.Sample.Model;

/// <summary>
/// A model file of this sample: the network's parameters (the MLP's W1, b1, W2 and b2, whose shapes give its layer
/// sizes, or the CNN's K1, c1, K2, c2, W and b), and the data set it was trained on. The runtime's <see cref="ModelFile"/> stores named matrices, so the data set is one more: a
/// 1 × 1 matrix named <c>dataset=mnist</c> or <c>dataset=fashion</c>, which travels under the file's checksum like the
/// weights. Files saved before the data set was recorded load with <see cref="Dataset"/> null.
/// </summary>
/// <param name="Parameters">The network.</param>
/// <param name="Dataset">The data set it was trained on, or null if the file does not say.</param>
public sealed record SavedModel(INetwork Parameters, Dataset? Dataset)
{
    /// <summary>The start of the name of the matrix that records the data set; the <c>--dataset</c> name follows.</summary>
    public const string DatasetPrefix = "dataset=";

    private static readonly string[] MlpNames = ["W1", "b1", "W2", "b2"];

    /// <summary>What the file holds, e.g. <c>a 784-256-10 ReLU network trained on MNIST</c>.</summary>
    public string Description =>
        $"a {Parameters.Description} network trained on {(Dataset is { } dataset ? DatasetClasses.DisplayName(dataset) : "an unrecorded data set")}";

    /// <summary>Writes <paramref name="parameters"/> and <paramref name="dataset"/> to <paramref name="path"/> (atomically, as <see cref="ModelFile.Save"/> does).</summary>
    public static void Save(string path, INetwork parameters, Dataset dataset) =>
        ModelFile.Save(path, [.. parameters.Tensors, (DatasetPrefix + DatasetNames.Name(dataset), new Matrix<float>(1, 1))]);

    /// <summary>Reads a model file written by <see cref="Save"/>, or by the sample before it recorded the data set.</summary>
    /// <exception cref="InvalidDataException">The file is not a model file, its tensors are not this sample's network, or it names an unknown data set.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
    public static SavedModel Load(string path)
    {
        var tensors = ModelFile.Load(path);
        string[] datasetNames = [.. tensors.Select(t => t.Name).Where(name => name.StartsWith(DatasetPrefix, StringComparison.Ordinal))];
        // The CNN's first filters are named as nothing of the MLP's.
        bool cnn = tensors.Any(t => t.Name == CnnParameters.FirstKernelName);
        IReadOnlyList<string> parameterNames = cnn ? CnnParameters.Names : MlpNames;
        string[] unexpected = [.. tensors.Select(t => t.Name).Except(parameterNames, StringComparer.Ordinal).Except(datasetNames, StringComparer.Ordinal)];
        if (unexpected.Length > 0)
            throw new InvalidDataException(
                $"{path}: tensors {string.Join(", ", unexpected)} are not part of this sample's network ({string.Join(", ", parameterNames)}); the file holds another kind of model.");
        if (datasetNames.Length > 1)
            throw new InvalidDataException($"{path}: records {datasetNames.Length} data sets ({string.Join(", ", datasetNames)}); a model is trained on one.");
        INetwork parameters = cnn ? CnnParameters.FromTensors(path, tensors) : MlpParameters.FromTensors(path, tensors);
        return new SavedModel(parameters, datasetNames is [var name] ? ParseDataset(path, name) : null);
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
