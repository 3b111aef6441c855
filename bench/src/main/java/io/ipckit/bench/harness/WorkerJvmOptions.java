package io.ipckit.bench.harness;

import java.util.ArrayList;
import java.util.List;

/**
 * The JVM options of the worker JVMs that the messaging and dict contestants start: their own (the heap), then any
 * given by the system property {@value #PROP_NAME} (options separated by spaces). The bench sets none, so its
 * workers run as applications do; the bench module's tests set {@code -XX:TieredStopAtLevel=1 -XX:+UseSerialGC}
 * there, which checks the same harness code with worker JVMs that start in about half the CPU time.
 * <p>
 * Thread-safe and process-safe (reads a system property).
 */
public final class WorkerJvmOptions
{
    /** System property: extra options for worker JVMs, separated by spaces. */
    public static final String PROP_NAME = "ipckit.bench.workerJvmOptions";

    private WorkerJvmOptions()
    {
    }

    /**
     * @param own the contestant's own options, first.
     * @return a new mutable list: {@code own}, then the options of {@value #PROP_NAME}.
     */
    public static List<String> with(final String... own)
    {
        final List<String> options = new ArrayList<>(List.of(own));
        for (final String option : System.getProperty(PROP_NAME, "").trim().split("\\s+"))
        {
            if (!option.isEmpty())
            {
                options.add(option);
            }
        }
        return options;
    }
}
