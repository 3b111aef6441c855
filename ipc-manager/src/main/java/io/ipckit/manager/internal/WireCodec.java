package io.ipckit.manager.internal;

import io.ipckit.core.exceptions.IpcException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Encodes the values of requests and replies with Java serialization, replacing proxies by their {@link ProxyRef}
 * on the way out and resolving refs on the way in, and decodes through an {@link ObjectInputFilter} allow-list:
 * {@code java.lang}, {@code java.util}, {@code java.util.concurrent}, {@code java.time}, {@code java.math}, the
 * manager's own wire classes by name ({@link #WIRE_CLASSES}), {@code SerializedLambda} and the user's patterns; every
 * other class is refused with an exception naming it and the option that allows it. Thread-safe (stateless apart
 * from the immutable filter).
 * <p>
 * Note to maintainers: the allow-list names each manager class that travels, never a package: a class of this
 * module whose deserialization does something (a {@link SerializedProxy} connects to the socket and reads the key
 * file its stream names) must never be decoded from a peer. {@code SerializedProxy} is refused before any pattern,
 * the user's included, because inside the protocol a proxy travels as its {@link ProxyRef}. {@code SerializedLambda}
 * stays: pool tasks are lambdas, and a lambda is rebuilt only by its capturing class's {@code $deserializeLambda$},
 * which checks the lambda against the ones that class declares; the capturing class and every captured value pass
 * this filter as any other class (the JDK's own serializable lambdas, as {@code Comparator.comparing}'s, only
 * compose other allowed values).
 */
public final class WireCodec
{
    /** The manager's classes that travel in requests and replies, each by name. */
    static final String WIRE_CLASSES = "io.ipckit.manager.internal.ProxyRef;io.ipckit.manager.internal.ErrorInfo;" +
        "io.ipckit.manager.internal.DoneFuture;io.ipckit.manager.internal.PoolCallable;" +
        "io.ipckit.manager.ManagerStats;io.ipckit.manager.ManagerStats$Client;" +
        "io.ipckit.manager.ManagerStats$ManagedObject";
    /** The manager's classes that only its snapshots hold (with the wire classes), each by name. */
    static final String SNAPSHOT_CLASSES = "io.ipckit.manager.internal.JournalState$Origin;" +
        "io.ipckit.manager.internal.JournalState$Image;io.ipckit.manager.internal.JournalState$State;" +
        "io.ipckit.manager.internal.ManagerJournal$Outcome;io.ipckit.manager.internal.SnapshotEncoding$Slot;" +
        "io.ipckit.manager.internal.CompactContainer;io.ipckit.manager.internal.ServerArray;" +
        "io.ipckit.manager.internal.ServerValue;io.ipckit.manager.internal.ServerEvent;" +
        "io.ipckit.manager.internal.ServerNamespace;io.ipckit.manager.internal.ServerSemaphore;" +
        "io.ipckit.manager.internal.ServerJoinableQueue;";
    private static final String REFUSED_FIRST = "!" + SerializedProxy.class.getName() + ";";
    private static final String BASE = "java.lang.*;java.util.*;java.util.concurrent.*;java.time.*;java.math.*;" +
        "java.lang.invoke.SerializedLambda;" + WIRE_CLASSES;

    private final ObjectInputFilter filter;
    private final String patterns;

    /**
     * @param allowed       the user's extra patterns.
     * @param maxFrameBytes the longest frame, bounding the filter's byte limit.
     */
    public WireCodec(final List<String> allowed, final int maxFrameBytes)
    {
        this(allowed, maxFrameBytes, 1_000_000, "");
    }

    /**
     * @param allowed  the user's extra patterns.
     * @param maxBytes the longest stream.
     * @param maxRefs  the most objects in a stream.
     * @param extra    patterns of the manager's own (a snapshot's locks), each followed by {@code ';'}, or empty.
     */
    WireCodec(final List<String> allowed, final long maxBytes, final long maxRefs, final String extra)
    {
        final StringBuilder sb = new StringBuilder("maxdepth=64;maxrefs=").append(maxRefs).append(";maxbytes=")
            .append(maxBytes).append(';').append(REFUSED_FIRST).append(extra).append(BASE);
        for (final String pattern : allowed)
        {
            sb.append(';').append(pattern);
        }
        patterns = sb.append(";!*").toString();
        final ObjectInputFilter base = ObjectInputFilter.Config.createFilter(patterns);
        // a ref resolved into a proxy is checked again as its proxy class: admit proxy classes, whose handler class
        // (the only state they carry) still has to pass the allow-list
        filter = (info) -> info.serialClass() != null && Proxy.isProxyClass(info.serialClass()) ?
            ObjectInputFilter.Status.ALLOWED : base.checkInput(info);
    }

    /**
     * Appends a call's arguments as the manager reads them: none, in the compact form when every one has it
     * ({@link CompactValues}), else serialized. The client sends them so, and the manager's journal keeps them so.
     *
     * @param out      where.
     * @param args     the arguments, null or empty for none.
     * @param replacer replaces proxies (client) or nothing (journal).
     * @throws IllegalArgumentException when an argument is not serializable.
     */
    public void writeArgs(final Wire.Out out, final Object[] args, final UnaryOperator<Object> replacer)
    {
        if (args == null || args.length == 0)
        {
            out.putByte(Wire.ARGS_NONE);
        }
        else if (CompactValues.encodable(args))
        {
            out.putByte(Wire.ARGS_COMPACT);
            CompactValues.write(out, args);
        }
        else
        {
            out.putByte(Wire.ARGS_OBJECT);
            write(out, args, replacer);
        }
    }

    /**
     * Appends a value to a stream.
     *
     * @param out      where.
     * @param value    the value.
     * @param replacer replaces proxies (client) or counts refs sent (manager).
     * @throws IllegalArgumentException when the value is not serializable.
     */
    public void write(final OutputStream out, final Object value, final UnaryOperator<Object> replacer)
    {
        try (ObjectOutputStream oos = new ReplacingOutput(out, replacer))
        {
            oos.writeObject(value);
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("cannot send " + describe(value) + " to the manager: " + ex, ex);
        }
    }

    /**
     * @param value    a value.
     * @param replacer as for {@link #write}.
     * @return its bytes.
     */
    public byte[] encode(final Object value, final UnaryOperator<Object> replacer)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        write(out, value, replacer);
        return out.toByteArray();
    }

    /**
     * Decodes a value.
     *
     * @param bytes    the frame.
     * @param offset   where the value starts.
     * @param resolver resolves refs (client: into proxies; manager: pins the object).
     * @return the value.
     * @throws IpcException when a class is outside the allow-list or the bytes are not a value.
     */
    public Object decode(final byte[] bytes, final int offset, final UnaryOperator<Object> resolver)
    {
        final String[] rejected = new String[1];
        final ObjectInputFilter recording = (info) ->
        {
            final ObjectInputFilter.Status status = filter.checkInput(info);
            if (status == ObjectInputFilter.Status.REJECTED && rejected[0] == null)
            {
                rejected[0] = info.serialClass() != null ? info.serialClass().getName() :
                    "a stream over the limits (depth " + info.depth() + ", refs " + info.references() + ", bytes " +
                    info.streamBytes() + ")";
            }
            return status;
        };
        try (ObjectInputStream in = new ResolvingInput(new ByteArrayInputStream(bytes, offset, bytes.length - offset),
            recording, resolver))
        {
            return in.readObject();
        }
        catch (final InvalidClassException ex)
        {
            if (SerializedProxy.class.getName().equals(rejected[0]))
            {
                throw new IpcException("refused to decode a proxy serialized outside the manager protocol (" +
                    rejected[0] + "): a proxy sent in a call travels as its reference; do not hand a manager the " +
                    "bytes of a proxy serialized by ObjectOutputStream", ex);
            }
            throw new IpcException("refused to decode " + (rejected[0] != null ? rejected[0] : rejected(ex)) +
                ": not allowed by the manager's filter " +
                patterns + "; allow it on both ends with ManagerOptions.allowClasses", ex);
        }
        catch (final IOException | ClassNotFoundException | RuntimeException ex)
        {
            throw new IpcException("cannot decode a manager message: " + ex, ex);
        }
    }

    private static String rejected(final InvalidClassException ex)
    {
        return ex.classname != null ? ex.classname : "a class (" + ex.getMessage() + ")";
    }

    private static String describe(final Object value)
    {
        return value == null ? "null" : value.getClass().getName();
    }

    private static final class ReplacingOutput extends ObjectOutputStream
    {
        private final UnaryOperator<Object> replacer;

        ReplacingOutput(final OutputStream out, final UnaryOperator<Object> replacer) throws IOException
        {
            super(out);
            this.replacer = replacer;
            enableReplaceObject(true);
        }

        @Override
        protected Object replaceObject(final Object obj)
        {
            return replacer.apply(obj);
        }
    }

    private static final class ResolvingInput extends ObjectInputStream
    {
        private final UnaryOperator<Object> resolver;

        ResolvingInput(final InputStream in, final ObjectInputFilter filter, final UnaryOperator<Object> resolver)
            throws IOException
        {
            super(in);
            this.resolver = resolver;
            setObjectInputFilter(filter);
            enableResolveObject(true);
        }

        @Override
        protected Object resolveObject(final Object obj)
        {
            return resolver.apply(obj);
        }
    }
}
