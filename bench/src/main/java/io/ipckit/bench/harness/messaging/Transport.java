package io.ipckit.bench.harness.messaging;

/**
 * A way to move messages between processes, measured by the harness: the peers (raw Agrona ring, Aeron IPC,
 * Chronicle Queue, sockets) and ipckit's own Pipe and Queue. See {@code bench/README.md} for how to add one.
 * <p>
 * Life cycle of one measurement: the harness calls {@link #create} once in its own process, starts worker JVMs
 * that each call {@link #openSender} or {@link #openReceiver} with {@link Fixture#spec()}, and closes the fixture
 * when the workers have exited. Implementations need a public no-argument constructor (workers build their own
 * instance by class name) and no state beyond configuration.
 */
public interface Transport
{
    /**
     * @return a short stable id, used on the command line and in file names: {@code [a-z0-9-]+}.
     */
    String id();

    /**
     * @return a human-readable name for the report, e.g. "Aeron IPC (embedded driver)".
     */
    String label();

    /**
     * @return true when {@link Sender#sendBatch} uses a real batch form; the batched workloads run only on these.
     */
    default boolean hasBatchForm()
    {
        return false;
    }

    /**
     * @return true when several senders and several receivers may share one channel, each message going to exactly
     *         one receiver (an MPMC queue); the 2 to 2 workload then uses one channel. False for point-to-point
     *         transports, where 2 to 2 runs as two channels side by side.
     */
    default boolean sharedChannel()
    {
        return false;
    }

    /**
     * @return whether the transport takes part in the round trip (true by default).
     */
    default boolean roundTrip()
    {
        return true;
    }

    /**
     * @return false when the transport measures only the round trip and 1 to 1 (e.g. across a veth pair, where the
     *         two namespaces hold one worker each).
     */
    default boolean twoToTwo()
    {
        return true;
    }

    /**
     * @return true when a producer must not close its sender before the consumers have taken every message: its
     *         process holds what still delivers them (raw Aeron's media driver, across a veth pair), and closing
     *         does not wait for that. A consumer of such a transport must report progress while it polls (its poll
     *         must not block until the sender closes).
     */
    default boolean senderAwaitsConsumers()
    {
        return false;
    }

    /**
     * Opens the round trip's initiating side (the ping worker): it sends on {@code sendChannel} and receives the
     * echoes on {@code receiveChannel}. The default opens a sender, then a receiver; a transport whose connections
     * are duplex opens one connection and returns its two halves, as an application would.
     *
     * @param spec           {@link Fixture#spec()}.
     * @param sendChannel    the channel to send on.
     * @param receiveChannel the channel to receive on.
     * @param deadlineNs     a {@link System#nanoTime()} after which opening gives up.
     * @return both ends.
     */
    default Duplex openInitiator(
        final String spec, final int sendChannel, final int receiveChannel, final long deadlineNs)
    {
        return Duplex.senderFirst(this, spec, sendChannel, receiveChannel, deadlineNs);
    }

    /**
     * Opens the round trip's responding side (the pong worker): it receives on {@code receiveChannel} and echoes on
     * {@code sendChannel}. The default opens a receiver, then a sender; see {@link #openInitiator}.
     *
     * @param spec           {@link Fixture#spec()}.
     * @param receiveChannel the channel to receive on.
     * @param sendChannel    the channel to send on.
     * @param deadlineNs     a {@link System#nanoTime()} after which opening gives up.
     * @return both ends.
     */
    default Duplex openResponder(
        final String spec, final int receiveChannel, final int sendChannel, final long deadlineNs)
    {
        return Duplex.receiverFirst(this, spec, receiveChannel, sendChannel, deadlineNs);
    }

    /**
     * Creates the channels in the harness process.
     *
     * @param plan what to create.
     * @return the fixture that owns what was created.
     */
    Fixture create(ChannelPlan plan);

    /**
     * Opens the sending end of a channel in a worker process.
     *
     * @param spec       {@link Fixture#spec()}.
     * @param channel    the channel number.
     * @param deadlineNs a {@link System#nanoTime()} after which a send that cannot proceed throws.
     * @return the sender.
     */
    Sender openSender(String spec, int channel, long deadlineNs);

    /**
     * Opens the receiving end of a channel in a worker process.
     *
     * @param spec       {@link Fixture#spec()}.
     * @param channel    the channel number.
     * @param deadlineNs a {@link System#nanoTime()} after which opening or a blocking poll gives up.
     * @return the receiver.
     */
    Receiver openReceiver(String spec, int channel, long deadlineNs);
}
