package io.ipckit.manager.internal;

import io.ipckit.core.internal.kit.LengthPrefixedText;
import io.ipckit.manager.ManagerOptions;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * How {@code Manager.start} hands a manager's options to the manager's JVM, on its command line (Base64). Options
 * whose registry holds only the built-in types travel as their fields, in a compact binary form; options with types
 * of their own are Java-serialized, as their factories are serialized objects. The first
 * {@link ObjectInputStream} of a starting JVM costs it 30-45 ms here (the serialization filter's configuration, read
 * from the security properties), which the plain form keeps off the manager's start.
 * <p>
 * Stateless and thread-safe.
 */
public final class ManagerOptionsCodec
{
    /** The longest encoded options a manager's command line takes (Linux: 128 KiB per argument). */
    public static final int MAX_CHARS = 120_000;
    private static final byte PLAIN = 1;
    private static final byte SERIALIZED = 2;

    private ManagerOptionsCodec()
    {
    }

    /**
     * @param options a manager's options.
     * @return them encoded, for {@link #decode}.
     * @throws IllegalArgumentException when they do not serialize (a registered factory that is not serializable),
     *                                  or take more than {@link #MAX_CHARS}.
     */
    public static String encode(final ManagerOptions options)
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes))
        {
            if (options.registry().onlyBuiltins())
            {
                out.writeByte(PLAIN);
                out.writeLong(options.callTimeout(TimeUnit.NANOSECONDS));
                out.writeLong(options.startTimeout(TimeUnit.NANOSECONDS));
                out.writeLong(options.leaseCheckInterval(TimeUnit.NANOSECONDS));
                out.writeInt(options.maxFrameBytes());
                out.writeInt(options.serverThreads());
                out.writeBoolean(options.daemon());
                writeNullable(out, options.journalDirectory() == null ? null : options.journalDirectory().toString());
                out.writeLong(options.snapshotEveryEntries());
                out.writeLong(options.reconnectTimeout(TimeUnit.NANOSECONDS));
                writeList(out, options.allowedClasses());
                writeList(out, options.jvmOptions());
                writeNullable(out, options.classPath());
            }
            else
            {
                out.writeByte(SERIALIZED);
                out.flush();
                try (ObjectOutputStream objects = new ObjectOutputStream(bytes))
                {
                    objects.writeObject(options);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("the manager's options do not serialize (a registered factory must be " +
                "a serializable lambda or class, and what it captures serializable): " + ex, ex);
        }
        final String encoded = Base64.getEncoder().encodeToString(bytes.toByteArray());
        if (encoded.length() > MAX_CHARS)
        {
            throw new IllegalArgumentException("the manager's options take " + encoded.length() +
                " characters encoded, more than its JVM's command line takes (" + MAX_CHARS + "): " +
                (options.registry().onlyBuiltins() ? "shorten the class path, JVM options or allowed classes" :
                    "register fewer or smaller factories (what a factory captures travels with it), or shorten the " +
                    "class path, JVM options or allowed classes"));
        }
        return encoded;
    }

    /**
     * @param encoded what {@link #encode} returned.
     * @return the options.
     * @throws IllegalArgumentException when the text is not options encoded by {@link #encode}, or they do not
     *                                  decode (a registered type's class missing from this JVM's class path).
     */
    public static ManagerOptions decode(final String encoded)
    {
        final byte[] bytes;
        try
        {
            bytes = Base64.getDecoder().decode(encoded);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("the manager's options are not Base64: " + ex.getMessage(), ex);
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes)))
        {
            final byte form = in.readByte();
            if (form == SERIALIZED)
            {
                try (ObjectInputStream objects = new ObjectInputStream(in))
                {
                    return (ManagerOptions)objects.readObject();
                }
            }
            if (form != PLAIN)
            {
                throw new IllegalArgumentException("the manager's options have an unknown form " + form);
            }
            final ManagerOptions options = new ManagerOptions()
                .callTimeout(in.readLong(), TimeUnit.NANOSECONDS)
                .startTimeout(in.readLong(), TimeUnit.NANOSECONDS)
                .leaseCheckInterval(in.readLong(), TimeUnit.NANOSECONDS)
                .maxFrameBytes(in.readInt())
                .serverThreads(in.readInt())
                .daemon(in.readBoolean());
            final String journal = readNullable(in);
            options.durable(journal == null ? null : Path.of(journal))
                .snapshotEveryEntries(in.readLong())
                .reconnectTimeout(in.readLong(), TimeUnit.NANOSECONDS)
                .allowClasses(readList(in).toArray(new String[0]))
                .jvmOptions(readList(in).toArray(new String[0]))
                .classPath(readNullable(in));
            if (in.available() != 0)
            {
                throw new IllegalArgumentException("the manager's options have " + in.available() + " bytes too many");
            }
            return options;
        }
        catch (final IOException | ClassNotFoundException | ClassCastException ex)
        {
            throw new IllegalArgumentException("the manager's options do not decode: " + ex, ex);
        }
    }

    private static void writeNullable(final DataOutputStream out, final String text) throws IOException
    {
        out.writeBoolean(text != null);
        if (text != null)
        {
            LengthPrefixedText.write(out, text);
        }
    }

    private static String readNullable(final DataInputStream in) throws IOException
    {
        return in.readBoolean() ? LengthPrefixedText.read(in) : null;
    }

    private static void writeList(final DataOutputStream out, final List<String> texts) throws IOException
    {
        out.writeInt(texts.size());
        for (final String text : texts)
        {
            LengthPrefixedText.write(out, text);
        }
    }

    private static List<String> readList(final DataInputStream in) throws IOException
    {
        final int count = in.readInt();
        if (count < 0 || count > MAX_CHARS)
        {
            throw new IOException("a list of " + count + " options");
        }
        final List<String> texts = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            texts.add(LengthPrefixedText.read(in));
        }
        return texts;
    }
}
