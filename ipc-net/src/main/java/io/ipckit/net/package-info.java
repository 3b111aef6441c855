/**
 * ipckit's connections across hosts, on Aeron UDP: {@link io.ipckit.net.NetPipe#listen} and
 * {@link io.ipckit.net.NetPipe#connect} give a {@link io.ipckit.net.NetConnection}, an
 * {@link io.ipckit.pipe.Connection} as the local pipe's ends are, with their semantics, so a pipeline that outgrows
 * one machine changes an address, not its program.
 * <h2>Design</h2>
 * <ul>
 *     <li><b>Transport.</b> Each direction is one Aeron UDP publication (a concurrent one: the receiving thread
 *     answers a CLOSE on it; a one-way stream's is exclusive) and the peer's image of it. Aeron gives ordering, loss recovery (NAK and retransmit),
 *     flow control and liveness (heartbeats, status messages). Each connection starts an embedded media driver by
 *     default (shared threading mode, its directory under ipckit's shared directory, deleted on close), or
 *     connects to an external driver ({@link io.ipckit.net.NetOptions#embeddedDriver}).</li>
 *     <li><b>Framing.</b> ipckit tags each fragment with a frame type in the reserved value of Aeron's own data
 *     header ({@link io.ipckit.net.internal.FrameDescriptor}), so a payload is the message alone and takes the
 *     bytes it takes with raw Aeron, and keeps every frame within one Aeron fragment, so Aeron never fragments: a message that fits is claimed and
 *     written in place ({@code tryClaim}) and handed in place from the term buffer to the receiver; a longer one is
 *     split into BEGIN and CONTINUE frames and reassembled by the receiver, whatever the term length (Aeron's own
 *     limit of an eighth of the term does not apply). A new message's first frame discards a partial one, so a
 *     send that times out in the middle of a message leaves nothing behind.</li>
 *     <li><b>Receiving.</b> {@code Image.controlledPoll} with one handler: it hands one whole message per call and
 *     stops ({@code BREAK}), or, to only look ({@code poll()}), leaves a ready message in the image
 *     ({@code ABORT}). Aeron's poll hands handler exceptions to its error handler, so the handler catches them and
 *     the call rethrows them after the poll.</li>
 *     <li><b>Handshake and pairing.</b> Described in {@link io.ipckit.net.NetPipe}: HELLO with the connector's
 *     reply endpoint, WELCOME with its Aeron session id; each end then reads only the paired image.</li>
 *     <li><b>End of a peer.</b> A clean close sends CLOSE and waits (bounded) for the peer to read it and answer
 *     CLOSE_ACK before stopping the driver, so nothing sent is lost; the peer then gets
 *     {@link io.ipckit.core.exceptions.EndOfStreamException}. A killed peer or a cut link stops heartbeats and
 *     status messages: after the liveness timeout Aeron closes the image ({@code Image.isClosed()}) and
 *     disconnects the publication ({@code NOT_CONNECTED}), and calls throw
 *     {@link io.ipckit.core.exceptions.PeerGoneException}.</li>
 *     <li><b>End of the driver.</b> Aeron's default client error handler exits the JVM when the media driver stops
 *     answering; ipckit's keeps the error instead, and the calls of every connection of that driver throw
 *     {@link io.ipckit.net.MediaDriverGoneException}.</li>
 * </ul>
 * <h2>One-way streams</h2>
 * {@link io.ipckit.net.NetPipe#publish} and {@link io.ipckit.net.NetPipe#subscribe} give one-way ends of the same
 * {@link io.ipckit.net.NetConnection} type on a stream that many subscribers may read: with a multicast group as
 * the address, each datagram reaches every subscribing host once (market-data style). No handshake: a subscriber
 * reads the first image on the channel from where it joined; a publisher's close sends CLOSE and waits until its
 * driver has sent it.
 * <h2>Many peers on one endpoint</h2>
 * {@link io.ipckit.net.NetListener} accepts connector after connector on one endpoint (one driver, one subscription,
 * one image and reply publication per peer), each a {@link io.ipckit.net.NetConnection} with its own liveness.
 * <p>
 * A SharedLog replicated to other hosts and remote producers feeding a local queue are in
 * {@link io.ipckit.net.bridge}. The Manager over Aeron is in {@link io.ipckit.net.manager}: give
 * {@code Manager.serve} and {@code Manager.connect} an {@code AeronAddress}
 * ({@code Manager.connect(AeronAddress.of("host:40200"), authkey)}) where a TCP address went.
 */
package io.ipckit.net;
