package io.ipckit.durable.internal;

import io.ipckit.core.exceptions.IpcException;

import java.util.ArrayList;
import java.util.List;

/**
 * The JVM flags Chronicle Queue needs, checked before ipckit first touches Chronicle so that a missing one is
 * reported by name at open instead of as an access error deep inside Chronicle; and Chronicle's analytics, switched
 * off unless the user decided otherwise.
 * <p>
 * Thread-safe.
 */
public final class ChronicleFlags
{
    /** The system property that keeps Chronicle from writing into the user's home and calling its analytics service. */
    public static final String ANALYTICS_DISABLE_PROP_NAME = "chronicle.analytics.disable";

    private static final String[] EXPORTS = {"jdk.internal.ref", "sun.nio.ch", "jdk.internal.misc"};
    private static final String[] OPENS = {"java.lang.reflect"};

    private ChronicleFlags()
    {
    }

    /**
     * @return the flags this JVM lacks, in command-line form; empty when all are there.
     */
    public static List<String> missing()
    {
        final Module base = Object.class.getModule();
        final Module self = ChronicleFlags.class.getModule();
        final List<String> missing = new ArrayList<>();
        for (final String pkg : EXPORTS)
        {
            if (!base.isExported(pkg, self))
            {
                missing.add("--add-exports=java.base/" + pkg + "=ALL-UNNAMED");
            }
        }
        for (final String pkg : OPENS)
        {
            if (!base.isOpen(pkg, self))
            {
                missing.add("--add-opens=java.base/" + pkg + "=ALL-UNNAMED");
            }
        }
        return missing;
    }

    /**
     * Switches Chronicle's analytics off unless the property is set, then checks the flags.
     *
     * @throws IpcException naming the missing flags.
     */
    public static void check()
    {
        if (System.getProperty(ANALYTICS_DISABLE_PROP_NAME) == null)
        {
            System.setProperty(ANALYTICS_DISABLE_PROP_NAME, "true");
        }
        final List<String> missing = missing();
        if (!missing.isEmpty())
        {
            throw new IpcException("Chronicle Queue, under ipckit's SharedLog, needs JVM flags this JVM was started " +
                "without: " + String.join(" ", missing) + "; add them to the java command line (children started " +
                "with ipckit's JvmProcess get them from the build)");
        }
    }
}
