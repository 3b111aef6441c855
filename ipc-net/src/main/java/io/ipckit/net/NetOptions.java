package io.ipckit.net;

import io.ipckit.core.codec.Codec;
import io.ipckit.core.codec.Codecs;
import io.ipckit.core.internal.kit.PropertyDefaults;
import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.TimeUnit;

/**
 * Settings of a {@link NetConnection}, passed to {@link NetPipe#listen(String, NetOptions)} and
 * {@link NetPipe#connect(String, NetOptions)}: the Aeron media driver (embedded, the default, or an external one
 * the user runs), the stream's term and MTU lengths, how fast a dead peer is noticed, and the local settings (codec,
 * idle strategy). Defaults come from the system properties named by the {@code *_PROP_NAME} constants, else the
 * {@code *_DEFAULT} ones.
 * <p>
 * Both ends should use the same term and MTU lengths: each end's publication is created with its own, and the
 * receiving end takes what the sender chose.
 * <p>
 * Not thread-safe: configure, then pass to a factory; the factory copies what it needs.
 */
public final class NetOptions
{
    /** Property: whether each connection starts its own media driver. */
    public static final String EMBEDDED_DRIVER_PROP_NAME = "ipckit.net.embedded.driver";
    /** Default of {@link #embeddedDriver(boolean)}. */
    public static final boolean EMBEDDED_DRIVER_DEFAULT = true;
    /** Property: the Aeron directory of an external driver, or of the embedded one. */
    public static final String DRIVER_DIRECTORY_PROP_NAME = "ipckit.net.driver.directory";
    /** Property: the term length of each direction's publication, in bytes. */
    public static final String TERM_LENGTH_PROP_NAME = "ipckit.net.term.length";
    /** Default of {@link #termLengthBytes(int)}: 1 MiB (Aeron's own default, 16 MiB, maps 48 MiB per direction). */
    public static final int TERM_LENGTH_DEFAULT = 1024 * 1024;
    /** Property: the MTU of each direction's publication, in bytes. */
    public static final String MTU_LENGTH_PROP_NAME = "ipckit.net.mtu.length";
    /** Default of {@link #mtuLengthBytes(int)}: Aeron's default, which fits an Ethernet frame. */
    public static final int MTU_LENGTH_DEFAULT = 1408;
    /** Property: the liveness timeout in milliseconds. */
    public static final String LIVENESS_TIMEOUT_PROP_NAME = "ipckit.net.liveness.timeout.ms";
    /** Default of {@link #livenessTimeout(long, TimeUnit)} in milliseconds. */
    public static final long LIVENESS_TIMEOUT_MS_DEFAULT = 2_000;
    /** Property: the close linger timeout in milliseconds. */
    public static final String CLOSE_LINGER_TIMEOUT_PROP_NAME = "ipckit.net.close.linger.timeout.ms";
    /** Default of {@link #closeLingerTimeout(long, TimeUnit)} in milliseconds. */
    public static final long CLOSE_LINGER_TIMEOUT_MS_DEFAULT = 2_000;
    /** Property: the Aeron stream id of both directions. */
    public static final String STREAM_ID_PROP_NAME = "ipckit.net.stream.id";
    /** Default of {@link #streamId(int)}. */
    public static final int STREAM_ID_DEFAULT = 1_020;

    private boolean embeddedDriver = EMBEDDED_DRIVER_DEFAULT;
    private String driverDirectory = System.getProperty(DRIVER_DIRECTORY_PROP_NAME);
    private int termLengthBytes = TERM_LENGTH_DEFAULT;
    private int mtuLengthBytes = MTU_LENGTH_DEFAULT;
    private long livenessTimeoutNs = TimeUnit.MILLISECONDS.toNanos(LIVENESS_TIMEOUT_MS_DEFAULT);
    private long closeLingerTimeoutNs = TimeUnit.MILLISECONDS.toNanos(CLOSE_LINGER_TIMEOUT_MS_DEFAULT);
    private int streamId = STREAM_ID_DEFAULT;
    private String replyHost;
    private double receiveLossRate;
    private IdleStrategy idleStrategy;
    private IdleStrategy driverIdleStrategy;
    private Codec<Object> codec = Codecs.serializable();

    /**
     * Options with the defaults: a default given by one of the {@code *_PROP_NAME} system properties replaces the
     * built-in one; the numeric ones (term and MTU lengths, liveness and linger timeouts, stream id) are checked as
     * their setters check a value, and the embedded driver's must be {@code true} or {@code false}.
     *
     * @throws IllegalArgumentException when such a property is not a number or is out of its setter's range, or the
     *                                  embedded driver's is neither true nor false; the message names the property.
     */
    public NetOptions()
    {
        PropertyDefaults.applyBoolean(EMBEDDED_DRIVER_PROP_NAME, this::embeddedDriver);
        PropertyDefaults.applyInt(TERM_LENGTH_PROP_NAME, this::termLengthBytes);
        PropertyDefaults.applyInt(MTU_LENGTH_PROP_NAME, this::mtuLengthBytes);
        PropertyDefaults.applyLong(LIVENESS_TIMEOUT_PROP_NAME, (ms) -> livenessTimeout(ms, TimeUnit.MILLISECONDS));
        PropertyDefaults.applyLong(CLOSE_LINGER_TIMEOUT_PROP_NAME,
            (ms) -> closeLingerTimeout(ms, TimeUnit.MILLISECONDS));
        PropertyDefaults.applyInt(STREAM_ID_PROP_NAME, this::streamId);
    }

    /**
     * @param embedded true (the default) for a media driver started and stopped with each connection, its
     *                 directory in {@link #driverDirectory()} or else under ipckit's shared directory; false to use
     *                 an external driver already running in {@link #driverDirectory()} (Aeron's default directory
     *                 when none is set), whose own settings then decide the liveness timeout.
     * @return this.
     */
    public NetOptions embeddedDriver(final boolean embedded)
    {
        this.embeddedDriver = embedded;
        return this;
    }

    /**
     * @return whether each connection starts its own media driver.
     */
    public boolean embeddedDriver()
    {
        return embeddedDriver;
    }

    /**
     * @param directory the Aeron directory: where the embedded driver is created (deleted when the connection
     *                  closes) or where the external one runs; null for the default.
     * @return this.
     */
    public NetOptions driverDirectory(final String directory)
    {
        this.driverDirectory = directory;
        return this;
    }

    /**
     * @return the Aeron directory, or null for the default.
     */
    public String driverDirectory()
    {
        return driverDirectory;
    }

    /**
     * @param length the term length of this end's publication: a power of two from 64 KiB to 1 GiB. It bounds how
     *               much can be in flight unread (the receiver's window is at most half a term), not the message
     *               length: longer messages are split by ipckit.
     * @return this.
     * @throws IllegalArgumentException when not a power of two in that range.
     */
    public NetOptions termLengthBytes(final int length)
    {
        this.termLengthBytes = checkTermLength(length);
        return this;
    }

    /**
     * @return the term length in bytes.
     */
    public int termLengthBytes()
    {
        return termLengthBytes;
    }

    /**
     * @param length the MTU of this end's publication: a multiple of 32 from 1,024 to 65,504 bytes. The longest
     *               zero-copy claim is this minus 40 bytes (Aeron's and ipckit's headers).
     * @return this.
     * @throws IllegalArgumentException when out of range or not a multiple of 32.
     */
    public NetOptions mtuLengthBytes(final int length)
    {
        this.mtuLengthBytes = checkMtuLength(length);
        return this;
    }

    /**
     * @return the MTU in bytes.
     */
    public int mtuLengthBytes()
    {
        return mtuLengthBytes;
    }

    /**
     * Sets how long a silent peer is taken for alive: after this, its image is closed and the next (or the waiting)
     * call throws {@link io.ipckit.core.exceptions.PeerGoneException}. A killed process or a cut link is noticed
     * within about this time plus a quarter of it. Applies to the embedded driver (an external driver has its own
     * {@code aeron.image.liveness.timeout}).
     *
     * @param timeout the timeout, at least 200 ms.
     * @param unit    its unit.
     * @return this.
     * @throws IllegalArgumentException when under 200 ms.
     */
    public NetOptions livenessTimeout(final long timeout, final TimeUnit unit)
    {
        final long ns = unit.toNanos(timeout);
        if (ns < TimeUnit.MILLISECONDS.toNanos(200))
        {
            throw new IllegalArgumentException("livenessTimeout must be at least 200 ms: " + timeout + " " + unit);
        }
        this.livenessTimeoutNs = ns;
        return this;
    }

    /**
     * @param unit the unit wanted.
     * @return the liveness timeout in {@code unit}.
     */
    public long livenessTimeout(final TimeUnit unit)
    {
        return unit.convert(livenessTimeoutNs, TimeUnit.NANOSECONDS);
    }

    /**
     * Sets how long {@link NetConnection#close()} waits for the peer to read its last messages before it stops the
     * driver (messages still unread by then may be lost: the peer then sees
     * {@link io.ipckit.core.exceptions.PeerGoneException} instead of end of stream).
     *
     * @param timeout the timeout, zero or more.
     * @param unit    its unit.
     * @return this.
     * @throws IllegalArgumentException when negative.
     */
    public NetOptions closeLingerTimeout(final long timeout, final TimeUnit unit)
    {
        if (timeout < 0)
        {
            throw new IllegalArgumentException("closeLingerTimeout must not be negative: " + timeout);
        }
        this.closeLingerTimeoutNs = unit.toNanos(timeout);
        return this;
    }

    /**
     * @param unit the unit wanted.
     * @return the close linger timeout in {@code unit}.
     */
    public long closeLingerTimeout(final TimeUnit unit)
    {
        return unit.convert(closeLingerTimeoutNs, TimeUnit.NANOSECONDS);
    }

    /**
     * @param streamId the Aeron stream id of both directions; both ends must use the same.
     * @return this.
     */
    public NetOptions streamId(final int streamId)
    {
        this.streamId = streamId;
        return this;
    }

    /**
     * @return the Aeron stream id.
     */
    public int streamId()
    {
        return streamId;
    }

    /**
     * Only for {@link NetPipe#connect}: the host (name or address) the listener sends its replies to. By default the
     * local address of the interface that routes to the listener.
     *
     * @param host the host, or null for the default.
     * @return this.
     */
    public NetOptions replyHost(final String host)
    {
        this.replyHost = host;
        return this;
    }

    /**
     * @return the reply host, or null for the default.
     */
    public String replyHost()
    {
        return replyHost;
    }

    /**
     * For tests of loss recovery: the fraction of data frames the embedded driver drops on receipt (Aeron's
     * {@code RandomLossGenerator}); Aeron's NAKs and retransmits recover them. 0, the default, drops none.
     *
     * @param rate from 0 to 1 exclusive.
     * @return this.
     * @throws IllegalArgumentException when outside [0, 1).
     */
    public NetOptions receiveLossRate(final double rate)
    {
        if (!(rate >= 0 && rate < 1))
        {
            throw new IllegalArgumentException("receiveLossRate must be in [0, 1): " + rate);
        }
        this.receiveLossRate = rate;
        return this;
    }

    /**
     * @return the receive loss rate of the embedded driver.
     */
    public double receiveLossRate()
    {
        return receiveLossRate;
    }

    /**
     * @param idleStrategy how blocking calls wait; null (the default) for a {@link
     *                     org.agrona.concurrent.BackoffIdleStrategy} per connection.
     * @return this.
     */
    public NetOptions idleStrategy(final IdleStrategy idleStrategy)
    {
        this.idleStrategy = idleStrategy;
        return this;
    }

    /**
     * @return the idle strategy, or null for the default.
     */
    public IdleStrategy idleStrategy()
    {
        return idleStrategy;
    }

    /**
     * @param idleStrategy how an embedded driver's one thread (shared threading mode) waits when it has nothing to
     *                     do; null (the default) for a {@link org.agrona.concurrent.BackoffIdleStrategy} per driver,
     *                     which parks up to 1 ms and so adds up to that to a request-response round trip when the
     *                     traffic is sparse. {@link org.agrona.concurrent.YieldingIdleStrategy} answers in
     *                     microseconds at the cost of a busy core per driver. Options that start more than one driver
     *                     (each connect, each listen) share the instance, so it must be stateless (yielding,
     *                     busy-spin, no-op). Ignored for an external driver.
     * @return this.
     */
    public NetOptions driverIdleStrategy(final IdleStrategy idleStrategy)
    {
        this.driverIdleStrategy = idleStrategy;
        return this;
    }

    /**
     * @return the embedded driver's idle strategy, or null for the default.
     */
    public IdleStrategy driverIdleStrategy()
    {
        return driverIdleStrategy;
    }

    /**
     * @param codec the codec of {@link NetConnection#send(Object)} and {@link NetConnection#recv()}; by default
     *              Java serialization ({@link Codecs#serializable(String...)}).
     * @return this.
     * @throws NullPointerException when null.
     */
    @SuppressWarnings("unchecked")
    public NetOptions codec(final Codec<?> codec)
    {
        this.codec = (Codec<Object>)java.util.Objects.requireNonNull(codec, "codec");
        return this;
    }

    /**
     * @return the default codec.
     */
    public Codec<Object> codec()
    {
        return codec;
    }

    private static int checkTermLength(final int length)
    {
        if (length < 64 * 1024 || length > 1024 * 1024 * 1024 || Integer.bitCount(length) != 1)
        {
            throw new IllegalArgumentException(
                "termLengthBytes must be a power of two from 64 KiB to 1 GiB: " + length);
        }
        return length;
    }

    private static int checkMtuLength(final int length)
    {
        if (length < 1024 || length > 65_504 || (length & 31) != 0)
        {
            throw new IllegalArgumentException("mtuLengthBytes must be a multiple of 32 from 1024 to 65504: " + length);
        }
        return length;
    }

    /**
     * @return the options, for diagnostics.
     */
    @Override
    public String toString()
    {
        return "NetOptions{embeddedDriver=" + embeddedDriver + ", driverDirectory=" + driverDirectory +
            ", termLengthBytes=" + termLengthBytes + ", mtuLengthBytes=" + mtuLengthBytes +
            ", livenessTimeoutMs=" + TimeUnit.NANOSECONDS.toMillis(livenessTimeoutNs) +
            ", closeLingerTimeoutMs=" + TimeUnit.NANOSECONDS.toMillis(closeLingerTimeoutNs) +
            ", streamId=" + streamId + ", replyHost=" + replyHost + ", receiveLossRate=" + receiveLossRate + "}";
    }
}
