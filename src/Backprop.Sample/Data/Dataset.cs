namespace Backprop.Sample.Data;

/// <summary>The data sets the sample trains on; both use MNIST's file names and IDX format.</summary>
public enum Dataset
{
    /// <summary>Handwritten digits, fetched into the cache when not found.</summary>
    Mnist,

    /// <summary>Zalando's Fashion-MNIST, from Debian's <c>dataset-fashion-mnist</c> package.</summary>
    Fashion,
}

/// <summary>The <c>--dataset</c> names.</summary>
public static class DatasetNames
{
    /// <summary><c>mnist</c> or <c>fashion</c>, case-insensitive.</summary>
    /// <exception cref="ArgumentException">Any other name.</exception>
    public static Dataset Parse(string name) => name.ToLowerInvariant() switch
    {
        "mnist" => Dataset.Mnist,
        "fashion" => Dataset.Fashion,
        _ => throw new ArgumentException($"Unknown dataset '{name}'; expected 'mnist' or 'fashion'.", nameof(name)),
    };

    /// <summary>The data set's <c>--dataset</c> name: <c>mnist</c> or <c>fashion</c>.</summary>
    public static string Name(Dataset dataset) => dataset == Dataset.Fashion ? "fashion" : "mnist";
}

/// <summary>What each data set and its classes are called.</summary>
public static class DatasetClasses
{
    /// <summary>The data set's usual name: MNIST or Fashion-MNIST.</summary>
    public static string DisplayName(Dataset dataset) => dataset == Dataset.Fashion ? "Fashion-MNIST" : "MNIST";

    private static readonly string[] Digits = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
    private static readonly string[] Fashion = ["T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>The name of each class 0–9.</summary>
    public static IReadOnlyList<string> Names(Dataset dataset) => dataset == Dataset.Fashion ? Fashion : Digits;
}
