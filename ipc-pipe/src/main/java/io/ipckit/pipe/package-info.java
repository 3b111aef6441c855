/**
 * Python's {@code Pipe()} and {@code Connection} between JVM processes.
 * <p>
 * A pipe is one file ({@link io.ipckit.pipe.PipeDescriptor}): metadata with each end's holder identity and state and
 * four doorbells, then one Agrona {@link org.agrona.concurrent.ringbuffer.OneToOneRingBuffer} per direction. Each
 * direction has exactly one writer and one reader — the two ends — so the single-producer ring is the natural
 * data plane, and a send costs what a raw Agrona write costs plus one fence and one load (the doorbell check).
 * <p>
 * A {@link io.ipckit.pipe.Connection} is a facade over its end's two halves: {@code SendHalf} writes the outgoing
 * ring and {@code ReceiveHalf} reads the incoming one, each keeping the invariants of its direction; the facade
 * keeps the end's state, the timeouts' conversion and the close.
 * <p>
 * Design notes for maintainers:
 * <ul>
 * <li>Messages longer than the ring's record limit (capacity / 8) are written as BEGIN, MIDDLE..., END records
 * ({@link io.ipckit.core.internal.kit.MessageAssembler}); a single writer per ring means fragments never interleave.
 * A receiver discards a partial message when a new BEGIN or WHOLE record arrives (the sender timed out) or when the
 * sender is gone, so a torn message is never delivered.</li>
 * <li>Liveness: each end records its holder as an {@link io.ipckit.core.internal.kit.OwnerToken} (pid + start time).
 * Waiters check the peer within 50 ms, then sleep on the kernel's watch of it ({@code PeerWatch}), which wakes them
 * as it dies. A dead writer's claimed-but-uncommitted record has a non-positive length and is
 * never read; committed records before it are.</li>
 * <li>Close publishes the state {@code CLOSED} with a release store after the last send; a receiver that reads the
 * state with an acquire load and then finds the ring empty knows the stream has ended.</li>
 * <li>Closing while other threads use the end: each half's calls pass a {@code HalfGate} (a depth only that
 * half's thread writes, paired with the close's flag through the asymmetric fence, so it costs no atomic
 * instruction), and {@code EndMapping} unmaps when the last call under way at the close, and the last outstanding
 * claim, has ended; never on a timeout. The sending side's part of the close (abort every uncommitted claim,
 * publish {@code CLOSED}) runs on the sending thread when a send was under way, as the ring has one writer.</li>
 * <li>Waking: see {@link io.ipckit.core.internal.kit.Doorbell}; a receiver registers as a waiter before testing for data,
 * a sender rings after publishing, so no wake-up is lost and an idle pipe costs no system call.</li>
 * </ul>
 */
package io.ipckit.pipe;
