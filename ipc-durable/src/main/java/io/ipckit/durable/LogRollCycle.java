package io.ipckit.durable;

import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;

/**
 * How often a log starts a new cycle file. Retention ({@link SharedLogOptions#retainCycles(int)}) removes whole
 * cycle files, so the cycle is also the granularity of what is kept. Fixed when the log is created.
 */
public enum LogRollCycle
{
    /** A new file every second: for tests and demonstrations of rolling, not for production. */
    SECONDLY(TestRollCycles.TEST_SECONDLY),
    /** A new file every five minutes. */
    FIVE_MINUTELY(RollCycles.FIVE_MINUTELY),
    /** A new file every hour. */
    HOURLY(RollCycles.FAST_HOURLY),
    /** A new file every day (UTC); the default. */
    DAILY(RollCycles.FAST_DAILY),
    /** A new file every week. */
    WEEKLY(RollCycles.WEEKLY);

    private final RollCycle chronicle;

    LogRollCycle(final RollCycle chronicle)
    {
        this.chronicle = chronicle;
    }

    RollCycle chronicle()
    {
        return chronicle;
    }

    static LogRollCycle of(final RollCycle chronicle)
    {
        for (final LogRollCycle cycle : values())
        {
            if (cycle.chronicle.format().equals(chronicle.format()) &&
                cycle.chronicle.lengthInMillis() == chronicle.lengthInMillis())
            {
                return cycle;
            }
        }
        return null;
    }
}
