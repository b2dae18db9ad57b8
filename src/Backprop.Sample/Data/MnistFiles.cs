namespace Backprop.Sample.Data;

/// <summary>The paths of the four IDX files of an MNIST-format data set, all in one directory.</summary>
public sealed record MnistFiles(string TrainImages, string TrainLabels, string TestImages, string TestLabels)
{
    /// <summary>The four files' names without a <c>.gz</c> suffix, in the order of the record's members.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    /// <summary>The four paths, in the order of <see cref="Names"/>.</summary>
    public IReadOnlyList<string> Paths => [TrainImages, TrainLabels, TestImages, TestLabels];

    /// <summary>
    /// The four files in <paramref name="directory"/>, each either under its plain name or with <c>.gz</c>
    /// appended (the reader tells the two apart by content), or null with the names that are missing.
    /// </summary>
    public static MnistFiles? In(string directory, out IReadOnlyList<string> missing)
    {
        var found = new string?[Names.Count];
        var absent = new List<string>();
        for (int i = 0; i < Names.Count; i++)
        {
            string plain = Path.Combine(directory, Names[i]);
            found[i] = File.Exists(plain) ? plain : File.Exists(plain + ".gz") ? plain + ".gz" : null;
            if (found[i] is null)
                absent.Add(Names[i]);
        }
        missing = absent;
        return absent.Count > 0 ? null : new MnistFiles(found[0]!, found[1]!, found[2]!, found[3]!);
    }
}
