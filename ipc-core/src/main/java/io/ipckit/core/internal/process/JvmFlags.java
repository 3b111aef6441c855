package io.ipckit.core.internal.process;

import io.ipckit.core.SharedDirectory;
import io.ipckit.core.exceptions.MissingJvmFlagException;
import org.agrona.DirectBuffer;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The JVM flags of ipckit: the ones every ipckit JVM needs ({@link #required()}), the check that reports a missing
 * one at first use ({@link #requireAgronaAccess()}), and the flags a child JVM gets ({@link #forChild()}).
 * <p>
 * Measured on JDK 25: pipes, queues, shared memory, arrays, values, locks and pools need
 * {@value #AGRONA_EXPORTS} (Agrona's buffers reach {@code jdk.internal.misc.Unsafe}; without it the first buffer
 * fails with an {@link IllegalAccessError}) and {@value #NATIVE_ACCESS} (the futex and fallocate calls through FFM;
 * without it JDK 25 prints a warning on the first call and a later JDK refuses the call). ipckit's own code needs no
 * other flag: {@code sun.nio.ch}, {@code java.lang.reflect}, {@code jdk.internal.ref},
 * {@code --sun-misc-unsafe-memory-access=allow} and {@code -Dchronicle.analytics.disable=true} are Chronicle Queue's
 * and Chronicle Map's, needed only where those are loaded (the bench).
 * <p>
 * A child gets the required flags plus the module flags its parent was started with ({@code --add-exports},
 * {@code --add-opens}, {@code --add-reads}, {@code --add-modules}, {@code --enable-native-access},
 * {@code --sun-misc-unsafe-memory-access}, {@code --illegal-native-access}) and its parent's {@code -Dchronicle.*}
 * options, read from the parent's command line, so a child of a JVM that runs Chronicle can run Chronicle too; and
 * the parent's current {@code ipckit.*} system properties (the shared directory among them), so the child resolves
 * names exactly as its parent.
 * <p>
 * Thread-safe.
 */
public final class JvmFlags
{
    /** The flag Agrona's buffers need: every mapping of a shared file checks for it. */
    public static final String AGRONA_EXPORTS = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";
    /** The flag the FFM calls (futex, fallocate) need. */
    public static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";

    private static final List<String> REQUIRED = List.of(AGRONA_EXPORTS, NATIVE_ACCESS);
    private static final String[] INHERITED_OPTION_PREFIXES =
    {
        "--add-exports=", "--add-opens=", "--add-reads=", "--add-modules=", "--enable-native-access=",
        "--sun-misc-unsafe-memory-access=", "--illegal-native-access=", "-Dchronicle."
    };
    private static final String CHILD_PROPERTY_PREFIX = "ipckit.child.";
    private static final boolean AGRONA_ACCESS =
        Object.class.getModule().isExported("jdk.internal.misc", DirectBuffer.class.getModule());

    private JvmFlags()
    {
    }

    /**
     * @return the flags every ipckit JVM needs, in order.
     */
    public static List<String> required()
    {
        return REQUIRED;
    }

    /**
     * Fails fast when this JVM cannot use Agrona's buffers: called by every mapping of a shared file before it wraps
     * a buffer, so the first use of any structure names the missing flag instead of failing deep inside Agrona with
     * an {@link IllegalAccessError}.
     *
     * @throws MissingJvmFlagException when {@code java.base} does not export {@code jdk.internal.misc} to Agrona.
     */
    public static void requireAgronaAccess()
    {
        if (!AGRONA_ACCESS)
        {
            throw new MissingJvmFlagException(AGRONA_EXPORTS, "this JVM was started without " + AGRONA_EXPORTS +
                ", which ipckit needs: Agrona's buffers over the shared files use jdk.internal.misc.Unsafe; add it to" +
                " the java command line (before -cp), or to surefire's argLine, exec's arguments or the" +
                " JDK_JAVA_OPTIONS environment variable (child JVMs started by JvmProcess get it automatically)");
        }
    }

    /**
     * The module flags and {@code -Dchronicle.*} options this JVM was started with, in command-line order.
     *
     * @return a new list.
     */
    public static List<String> inherited()
    {
        final List<String> flags = new ArrayList<>();
        for (final String argument : runtimeArguments())
        {
            for (final String prefix : INHERITED_OPTION_PREFIXES)
            {
                if (argument.startsWith(prefix))
                {
                    flags.add(argument);
                    break;
                }
            }
        }
        return flags;
    }

    /**
     * {@link #required()}, then the flags this JVM inherited ({@link #inherited()}), without repeats.
     *
     * @return a new mutable list.
     */
    public static List<String> moduleFlags()
    {
        final Set<String> unique = new LinkedHashSet<>(REQUIRED);
        unique.addAll(inherited());
        return new ArrayList<>(unique);
    }

    /**
     * The flags a child JVM of this one gets: {@link #moduleFlags()}, the shared directory, then every other
     * {@code ipckit.*} system property of this JVM.
     *
     * @return a new mutable list.
     */
    public static List<String> forChild()
    {
        final List<String> flags = moduleFlags();
        flags.add("-D" + SharedDirectory.DIRECTORY_PROP_NAME + "=" + SharedDirectory.path());
        for (final String key : System.getProperties().stringPropertyNames())
        {
            if (key.startsWith("ipckit.") && !key.equals(SharedDirectory.DIRECTORY_PROP_NAME) &&
                !key.startsWith(CHILD_PROPERTY_PREFIX))
            {
                flags.add("-D" + key + "=" + System.getProperty(key));
            }
        }
        return flags;
    }

    private static List<String> runtimeArguments()
    {
        if (AGRONA_ACCESS)
        {
            try
            {
                // the JDK's own list behind RuntimeMXBean.getInputArguments(), without loading JMX (15 ms less)
                return List.of((String[])Class.forName("jdk.internal.misc.VM").getMethod("getRuntimeArguments")
                    .invoke(null));
            }
            catch (final ReflectiveOperationException | RuntimeException | LinkageError ex)
            {
                // fall through to the public API
            }
        }
        return ManagementFactory.getRuntimeMXBean().getInputArguments();
    }
}
