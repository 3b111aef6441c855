package io.ipckit.net.manager;

import io.ipckit.net.NetOptions;

import java.net.SocketAddress;
import java.util.Objects;

/**
 * The address of a manager (or of a {@link io.ipckit.manager.connection.Listener}) over Aeron UDP: give it where a
 * TCP address went, and the same program serves and connects over Aeron, with the same authentication.
 * <pre>{@code
 * // the manager's host
 * ManagerServer server = Manager.serve(AeronAddress.of("0.0.0.0:40200"), authkey, registry);
 * // any host
 * Manager manager = Manager.connect(AeronAddress.of("managerhost:40200"), authkey);
 * }</pre>
 * It holds an endpoint ({@code host:port}, {@code [v6addr]:port}, port 0 to let a server pick one, or a whole
 * {@code aeron:udp} channel) and the {@link NetOptions} of the Aeron connections made for it: the driver (embedded
 * by default), and the liveness timeout, within which a dead peer is noticed (a client's locks in the manager are
 * released, a dead manager's calls fail with {@link io.ipckit.manager.ManagerGoneException}). A connect gives up
 * after {@link #connectTimeout} milliseconds; a durable manager's client reconnecting gives up sooner when its
 * {@code ManagerOptions.reconnectTimeout} has less time left.
 * <p>
 * Immutable but for the options object it holds (the caller's, not a copy: do not change it after handing it over).
 * Thread-safe. Equal when the endpoints are equal. The options are not serialized.
 */
public final class AeronAddress extends SocketAddress
{
    private static final long serialVersionUID = 1L;

    /** System property: how long a connect waits for the manager to answer, in milliseconds. */
    public static final String CONNECT_TIMEOUT_PROP_NAME = "ipckit.net.manager.connect.timeout.ms";
    /** Default of {@link #CONNECT_TIMEOUT_PROP_NAME}. */
    public static final long CONNECT_TIMEOUT_MS_DEFAULT = 10_000;

    private final String endpoint;
    private final transient NetOptions options;

    private AeronAddress(final String endpoint, final NetOptions options)
    {
        this.endpoint = endpoint;
        this.options = options;
    }

    /**
     * An address with default {@link NetOptions}.
     *
     * @param endpoint {@code host:port} or an {@code aeron:udp} channel.
     * @return the address.
     * @throws IllegalArgumentException when it is neither.
     */
    public static AeronAddress of(final String endpoint)
    {
        return of(endpoint, new NetOptions());
    }

    /**
     * An address with the given options.
     *
     * @param endpoint {@code host:port} or an {@code aeron:udp} channel.
     * @param options  the options of the connections and the listener made for it.
     * @return the address.
     * @throws IllegalArgumentException when the endpoint is neither form.
     * @throws NullPointerException     when either is null.
     */
    public static AeronAddress of(final String endpoint, final NetOptions options)
    {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(options, "options");
        final int colon = endpoint.lastIndexOf(':');
        if (!endpoint.startsWith("aeron:udp") && (colon <= 0 || colon == endpoint.length() - 1))
        {
            throw new IllegalArgumentException("an Aeron address is host:port or an aeron:udp channel: " + endpoint);
        }
        return new AeronAddress(endpoint, options);
    }

    /**
     * @return the endpoint: {@code host:port} or an {@code aeron:udp} channel.
     */
    public String endpoint()
    {
        return endpoint;
    }

    /**
     * @return the options (never null; defaults after deserialization).
     */
    public NetOptions options()
    {
        return options != null ? options : new NetOptions();
    }

    /**
     * @return how long a connect to this address waits for the listener to answer, in milliseconds (the system
     * property {@value #CONNECT_TIMEOUT_PROP_NAME}, else {@value #CONNECT_TIMEOUT_MS_DEFAULT}).
     */
    public static long connectTimeout()
    {
        return Long.getLong(CONNECT_TIMEOUT_PROP_NAME, CONNECT_TIMEOUT_MS_DEFAULT);
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof AeronAddress that && endpoint.equals(that.endpoint);
    }

    @Override
    public int hashCode()
    {
        return endpoint.hashCode();
    }

    /**
     * @return {@code aeron:udp?endpoint=host:port}, or the channel as given.
     */
    @Override
    public String toString()
    {
        return endpoint.startsWith("aeron:") ? endpoint : "aeron:udp?endpoint=" + endpoint;
    }
}
