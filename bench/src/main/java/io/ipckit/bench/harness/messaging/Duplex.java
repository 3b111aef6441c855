package io.ipckit.bench.harness.messaging;

/**
 * The two channel ends a round-trip worker holds: it sends on one channel and receives on the other. A transport
 * whose connections are duplex gives both halves of one connection; the others give two one-way ends. The worker
 * closes both (the receiver first); each close is idempotent.
 *
 * @param sender   the sending end.
 * @param receiver the receiving end.
 */
public record Duplex(Sender sender, Receiver receiver)
{
    /**
     * Opens a sender, then a receiver; closes the sender when the receiver cannot be opened.
     *
     * @param transport      the transport.
     * @param spec           the fixture's spec.
     * @param sendChannel    the channel to send on.
     * @param receiveChannel the channel to receive on.
     * @param deadlineNs     the deadline of both opens.
     * @return both ends.
     */
    static Duplex senderFirst(
        final Transport transport, final String spec, final int sendChannel, final int receiveChannel,
        final long deadlineNs)
    {
        final Sender sender = transport.openSender(spec, sendChannel, deadlineNs);
        try
        {
            return new Duplex(sender, transport.openReceiver(spec, receiveChannel, deadlineNs));
        }
        catch (final RuntimeException | Error ex)
        {
            sender.close();
            throw ex;
        }
    }

    /**
     * Opens a receiver, then a sender; closes the receiver when the sender cannot be opened.
     *
     * @param transport      the transport.
     * @param spec           the fixture's spec.
     * @param receiveChannel the channel to receive on.
     * @param sendChannel    the channel to send on.
     * @param deadlineNs     the deadline of both opens.
     * @return both ends.
     */
    static Duplex receiverFirst(
        final Transport transport, final String spec, final int receiveChannel, final int sendChannel,
        final long deadlineNs)
    {
        final Receiver receiver = transport.openReceiver(spec, receiveChannel, deadlineNs);
        try
        {
            return new Duplex(transport.openSender(spec, sendChannel, deadlineNs), receiver);
        }
        catch (final RuntimeException | Error ex)
        {
            receiver.close();
            throw ex;
        }
    }
}
