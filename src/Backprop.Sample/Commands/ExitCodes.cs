namespace Backprop.Sample.Commands;

/// <summary>The sample's exit codes (docs/sample.md lists them for users).</summary>
public static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Success = 0;

    /// <summary>The command line is invalid: an unknown option, a bad value, or a training option with <c>--load</c> (System.CommandLine's own code for a parse error).</summary>
    public const int InvalidOptions = 1;

    /// <summary>The gradient check (<c>--check</c>) found an error beyond its tolerances.</summary>
    public const int GradientCheckFailed = 3;

    /// <summary>The data set could not be found, fetched or read.</summary>
    public const int DataUnavailable = 4;

    /// <summary>The model file given to <c>--load</c> could not be read, or was trained on another data set or for other images.</summary>
    public const int ModelUnreadable = 5;

    /// <summary>The report folder (<c>--out</c>) could not be created or written.</summary>
    public const int ReportUnwritable = 6;

    /// <summary>The loss or the weights became NaN or infinite; the last good epoch's model is saved as usual (never over a better one).</summary>
    public const int TrainingDiverged = 7;
}
