/**
 * Python's {@code Queue}, {@code SimpleQueue}, {@code JoinableQueue}, {@code queue.LifoQueue} and
 * {@code queue.PriorityQueue} between JVM processes, as {@link java.util.concurrent.BlockingQueue}s.
 * <p>
 * Why this design. A queue has many producers and many consumers in different processes, any of which can be killed
 * at any instruction. Agrona's {@code ManyToOneRingBuffer} lets producers claim concurrently, but a producer killed
 * between claiming and committing leaves a record that only {@code unblock()} can clear — and {@code unblock()}
 * cannot tell a dead producer from a slow one, nor (when the claim's length is not yet written) which producer owns
 * the record; it also has one consumer. A Vyukov-style slot ring has the same problem per slot. So the FIFO queue
 * ({@link io.ipckit.queue.FifoQueueCore}) serialises producers with one lock and consumers with another, each lock a
 * word holding the owner's pid and start time ({@link io.ipckit.core.internal.kit.OwnerLock}) that a waiter takes over
 * when the owner is dead, and between the two locks runs a single-producer single-consumer byte ring whose tail and
 * head are each one 64-bit word packing the byte position and the element count. Every change is published by one
 * release store after the bytes are in place, so a kill at any point leaves a consistent queue: no torn element is
 * ever visible, no committed element is lost, and there is nothing to repair. Producers never contend with
 * consumers (separate locks and cache lines), an uncontended lock is one compare-and-set on a line the holder
 * already owns, and the batch and zero-copy forms amortise it.
 * <p>
 * Elements longer than a ring record (an eighth of the ring) are written as several records while the writer keeps
 * the producer lock, and read while the reader keeps the consumer lock, so fragments never interleave and one
 * consumer gets the whole element; the first record names its writer, so a reader stops waiting for the rest when
 * the writer dies (see {@link io.ipckit.core.internal.kit.MessageAssembler}).
 * <p>
 * LIFO and priority queues ({@link io.ipckit.queue.SlotQueueCore}) keep elements in fixed slots under one lock and
 * scan them: simple, crash-consistent (a slot's state word is the only publication) and fast enough for the
 * hundreds-to-thousands of elements such queues hold.
 * <p>
 * {@link io.ipckit.queue.JoinableQueue} counts unfinished tasks as (elements put − {@code taskDone} calls), both in
 * the file: the first is the element count in the tail word, so it cannot disagree with what was published.
 */
package io.ipckit.queue;
