namespace Backprop;

/// <summary>
/// Which elements <see cref="MatrixOps.Dropout{T}(Matrix{T}, DropoutMask)"/> keeps: each element independently
/// with probability 1 − <see cref="Rate"/>, decided by a hash of <see cref="Seed"/> and the element's index, so the
/// forward pass and its pullback see the same mask without storing it, and a seed reproduces it. Give every
/// training step its own seed; at evaluation pass <see cref="Evaluation"/>, which keeps everything. It carries no derivative.
/// </summary>
public readonly record struct DropoutMask
{
    /// <summary>A mask dropping each element with probability <paramref name="rate"/>, drawn from <paramref name="seed"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rate"/> is outside [0, 1).</exception>
    public DropoutMask(double rate, ulong seed)
    {
        if (!(rate >= 0 && rate < 1))
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "DropoutMask: the rate must be in [0, 1).");
        Rate = rate;
        Seed = seed;
    }

    /// <summary>The mask of evaluation: nothing is dropped and nothing is scaled.</summary>
    public static DropoutMask Evaluation => default;

    /// <summary>The probability that an element is dropped.</summary>
    public double Rate { get; }

    /// <summary>The seed the mask is drawn from.</summary>
    public ulong Seed { get; }

    /// <summary>Whether element <paramref name="index"/> (row-major) is kept.</summary>
    public bool Keeps(int index)
    {
        // SplitMix64's finaliser over (seed, index): independent-looking bits for consecutive indices. Its top 53
        // bits as a fraction in [0, 1) are kept when at least the rate, so rate 0 keeps every element.
        ulong z = Seed + (ulong)(uint)index * 0x9E3779B97F4A7C15UL + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53)) >= Rate;
    }
}
