namespace Backprop.Sample.Commands;

/// <summary>The sample's exit codes.</summary>
public static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Success = 0;

    /// <summary>The gradient check (<c>--check</c>) found an error beyond its tolerances.</summary>
    public const int GradientCheckFailed = 3;

    /// <summary>The data set could not be found, fetched or read.</summary>
    public const int DataUnavailable = 4;

    /// <summary>The model file given to <c>--load</c> could not be read or does not fit the data.</summary>
    public const int ModelUnreadable = 5;

    /// <summary>The report folder could not be created or written.</summary>
    public const int ReportUnwritable = 6;
}
