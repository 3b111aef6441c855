package io.ipckit.bench.harness;

import java.util.Locale;

/**
 * The unit of a workload's headline figure, and which way is better.
 */
public enum Unit
{
    /** A latency or a time per operation in nanoseconds; lower is better. */
    NANOSECONDS(true),
    /** Messages or operations per second; higher is better. */
    PER_SECOND(false);

    private final boolean lowerIsBetter;

    Unit(final boolean lowerIsBetter)
    {
        this.lowerIsBetter = lowerIsBetter;
    }

    /**
     * @return true when a smaller figure is a better result.
     */
    public boolean lowerIsBetter()
    {
        return lowerIsBetter;
    }

    /**
     * @param value a figure in this unit.
     * @return it formatted for a human: µs or ms for times, M/s or k/s for rates.
     */
    public String format(final double value)
    {
        if (this == NANOSECONDS)
        {
            if (value >= 1_000_000)
            {
                return String.format(Locale.ROOT, "%.2f ms", value / 1e6);
            }
            return String.format(Locale.ROOT, value >= 100_000 ? "%.0f µs" : value >= 1000 ? "%.1f µs" : "%.3f µs",
                value / 1e3);
        }
        if (value >= 1e6)
        {
            return String.format(Locale.ROOT, "%.2f M/s", value / 1e6);
        }
        return String.format(Locale.ROOT, "%.1f k/s", value / 1e3);
    }
}
