package io.ipckit.core.process;

import io.ipckit.core.SharedDirectory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * The JVM flags every JVM of ipckit needs (module exports for Agrona and Chronicle Queue, native access for the
 * FFM calls, Chronicle's analytics switched off), read from the build's single definition, the
 * {@code ipckit.jvm.flags} property of the parent pom, filtered into this module's resources.
 * <p>
 * Thread-safe.
 */
public final class JvmFlags
{
    private static final List<String> REQUIRED = load();

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
     * The flags a child JVM of this one gets: {@link #required()}, then every {@code ipckit.*} system property of
     * this JVM (the shared directory among them), so that the child resolves names exactly as its parent.
     *
     * @return a new mutable list.
     */
    public static List<String> forChild()
    {
        final List<String> flags = new ArrayList<>(REQUIRED);
        flags.add("-D" + SharedDirectory.DIRECTORY_PROP_NAME + "=" + SharedDirectory.path());
        for (final String key : System.getProperties().stringPropertyNames())
        {
            if (key.startsWith("ipckit.") && !key.equals(SharedDirectory.DIRECTORY_PROP_NAME) &&
                !key.startsWith("ipckit.child."))
            {
                flags.add("-D" + key + "=" + System.getProperty(key));
            }
        }
        return flags;
    }

    private static List<String> load()
    {
        try (InputStream in = JvmFlags.class.getResourceAsStream("jvm-flags.properties"))
        {
            if (in == null)
            {
                throw new IllegalStateException("io/ipckit/core/process/jvm-flags.properties is missing from the " +
                    "class path: rebuild ipc-core with Maven so the resource is filtered");
            }
            final Properties properties = new Properties();
            properties.load(in);
            final String flags = properties.getProperty("flags", "").trim();
            if (flags.isEmpty() || flags.contains("${"))
            {
                throw new IllegalStateException("jvm-flags.properties was not filtered by Maven: " + flags);
            }
            return List.copyOf(Arrays.asList(flags.split("\\s+")));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
