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
