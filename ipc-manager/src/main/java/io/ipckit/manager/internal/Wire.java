package io.ipckit.manager.internal;

import java.io.ByteArrayOutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * The manager protocol's frames, after the connection's handshake. Every frame starts with a type byte; numbers are
 * big-endian, strings an int length and UTF-8 bytes, values Java serialization ({@link WireCodec}):
 * <pre>
 *   HELLO    client -&gt; manager  pid:long startTime:long local:byte nonce:long resuming:byte reconnectMs:long
 *                                (once, first; resuming 1 on a reconnection; reconnectMs 0 when it never reconnects)
 *   WELCOME  manager -&gt; client  managerId:string durable:byte                (once, the answer)
 *   CALL     client -&gt; manager  callId:long ackBelow:long objectId:long threadId:long method:string args:byte [args]
 *                                (ARGS_NONE; ARGS_COMPACT then {@code CompactValues}; ARGS_OBJECT then an Object[])
 *   CANCEL   client -&gt; manager  callId:long                                  (the caller was interrupted)
 *   DECREF   client -&gt; manager  objectId:long                                (a proxy was collected)
 *   BYE      client -&gt; manager  (nothing)                                    (the handle closes for good: FastPath)
 *   REPLY    manager -&gt; client  callId:long status:byte [value | ErrorInfo]   (NULL, VALUE, COMPACT or ERROR)
 *   FATAL    manager -&gt; client  message:string                               (then the manager closes the connection)
 * </pre>
 * Object 0 is the manager itself (create, lookup, bind, shutdown).
 * <p>
 * A client's {@code nonce} names the client handle across reconnections (random, chosen once per handle), and a
 * call's {@code callId} is that handle's sequence number of the call: a durable manager deduplicates a call sent
 * again after a restart by the pair. {@code ackBelow} says that the client has the replies of all its calls below
 * it (the lowest call id in flight), so the manager may forget their outcomes; 0 from a client of a manager that
 * is not durable. A durable manager serves a resuming handle only when it remembers its nonce, and forgets a remote
 * handle that stays away past three times its {@code reconnectMs}.
 */
public final class Wire
{
    /** Frame type: the client's identity. */
    public static final byte HELLO = 1;
    /** Frame type: the manager's answer to HELLO. */
    public static final byte WELCOME = 2;
    /** Frame type: a call. */
    public static final byte CALL = 3;
    /** Frame type: cancel a call. */
    public static final byte CANCEL = 4;
    /** Frame type: drop a reference. */
    public static final byte DECREF = 5;
    /** Frame type: a call's result. */
    public static final byte REPLY = 6;
    /** Frame type: the connection is refused from now on. */
    public static final byte FATAL = 7;
    /** Reply status: the result is null. */
    public static final byte STATUS_NULL = 0;
    /** Reply status: a value follows. */
    public static final byte STATUS_VALUE = 1;
    /** Reply status: an {@link ErrorInfo} follows. */
    public static final byte STATUS_ERROR = 2;
    /** Reply status: a {@code CompactValues} value follows. */
    public static final byte STATUS_COMPACT = 3;
    /** Call arguments: none. */
    public static final byte ARGS_NONE = 0;
    /** Call arguments: an object stream of an Object[]. */
    public static final byte ARGS_OBJECT = 1;
    /** Call arguments: compact values. */
    public static final byte ARGS_COMPACT = 2;
    /** Where a CALL frame's signature starts: after its type, callId, ackBelow, objectId and threadId. */
    public static final int CALL_SIGNATURE_OFFSET = 1 + 4 * Long.BYTES;
    /** The object id of the manager itself. */
    public static final long MANAGER_OBJECT_ID = 0;

    private static final VarHandle LONG_VIEW =
        MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT_VIEW =
        MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private Wire()
    {
    }

    /**
     * A growable frame writer. Its writes are not synchronized (a frame is written by one thread), unlike those of
     * the {@link ByteArrayOutputStream} it extends for the object streams that write values into it: a frame of a
     * call took about fifty uncontended lock operations through the inherited {@code write(int)}.
     */
    public static final class Out extends ByteArrayOutputStream
    {
        /**
         * @param type the frame type.
         */
        public Out(final byte type)
        {
            super(128);
            buf[0] = type;
            count = 1;
        }

        private int reserve(final int length)
        {
            final int at = count;
            if (buf.length - at < length)
            {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, at + length));
            }
            count = at + length;
            return at;
        }

        @Override
        public void write(final int value)
        {
            final int at = reserve(1);
            buf[at] = (byte)value;
        }

        @Override
        public void write(final byte[] bytes, final int offset, final int length)
        {
            Objects.checkFromIndexSize(offset, length, bytes.length);
            final int at = reserve(length);
            System.arraycopy(bytes, offset, buf, at, length);
        }

        @Override
        public void writeBytes(final byte[] bytes)
        {
            write(bytes, 0, bytes.length);
        }

        /**
         * @param value a long, big-endian.
         * @return this.
         */
        public Out putLong(final long value)
        {
            final int at = reserve(Long.BYTES);
            LONG_VIEW.set(buf, at, value);
            return this;
        }

        /**
         * @param value an int, big-endian.
         * @return this.
         */
        public Out putInt(final int value)
        {
            final int at = reserve(Integer.BYTES);
            INT_VIEW.set(buf, at, value);
            return this;
        }

        /**
         * @param value a byte.
         * @return this.
         */
        public Out putByte(final int value)
        {
            final int at = reserve(1);
            buf[at] = (byte)value;
            return this;
        }

        /**
         * @param value a string.
         * @return this.
         */
        public Out putString(final String value)
        {
            return putUtf8(value.getBytes(StandardCharsets.UTF_8));
        }

        /**
         * Writes a string already encoded, as {@link #putString} writes it.
         *
         * @param utf8 the string's UTF-8 bytes.
         * @return this.
         */
        public Out putUtf8(final byte[] utf8)
        {
            putLong(utf8.length);
            write(utf8, 0, utf8.length);
            return this;
        }

        /**
         * @return the frame's backing array (valid up to {@link #size()}).
         */
        public byte[] array()
        {
            return buf;
        }
    }

    /**
     * Overwrites a long already written into a frame.
     *
     * @param out   the frame.
     * @param index where the long starts.
     * @param value the long, big-endian.
     */
    public static void putLongAt(final Out out, final int index, final long value)
    {
        LONG_VIEW.set(out.array(), index, value);
    }

    /**
     * Reads a string written by {@link Out#putString}.
     *
     * @param in the frame, positioned at the string.
     * @return the string.
     * @throws IllegalArgumentException when the length is impossible.
     */
    public static String getString(final ByteBuffer in)
    {
        final int length = getStringLength(in);
        final String value = new String(in.array(), in.position(), length, StandardCharsets.UTF_8);
        in.position(in.position() + length);
        return value;
    }

    /**
     * Reads the length of a string written by {@link Out#putString}, leaving the frame at its bytes (which start at
     * {@code in.position()} of {@code in.array()}), for a reader that finds what they name in place.
     *
     * @param in the frame, positioned at the string, backed by an array from its start.
     * @return the string's length in bytes.
     * @throws IllegalArgumentException when the length is impossible.
     */
    public static int getStringLength(final ByteBuffer in)
    {
        final long length = in.getLong();
        if (length < 0 || length > in.remaining())
        {
            throw new IllegalArgumentException("corrupt string length " + length);
        }
        return (int)length;
    }
}
