/**
 * Python's {@code Queue}, {@code SimpleQueue}, {@code JoinableQueue}, {@code queue.LifoQueue} and
 * {@code queue.PriorityQueue} between JVM processes, as {@link java.util.concurrent.BlockingQueue}s.
 * <p>
 * The user's view: every queue type extends {@link io.ipckit.queue.AbstractSharedQueue}, which encodes elements with
 * a {@link io.ipckit.core.codec.Codec} and hands bytes to a {@link io.ipckit.queue.QueueCore}, the engine of one
 * handle. Threads of one handle pass two {@link io.ipckit.queue.HandleGate}s (one for producer-side calls, one for
 * consumer-side calls); processes are serialised by lock words in the file. Creation and opening go through
 * {@link io.ipckit.queue.QueueFiles} and {@link io.ipckit.queue.QueueOptions}; the layout is
 * {@link io.ipckit.queue.QueueDescriptor}, {@link io.ipckit.queue.LaneDescriptor},
 * {@link io.ipckit.queue.RecordDescriptor} and {@link io.ipckit.queue.SlotDescriptor}.
 * <p>
 * Why this design. A queue has many producers and many consumers in different processes, any of which can be killed
 * at any instruction. Agrona's {@code ManyToOneRingBuffer} lets producers claim concurrently, but a producer killed
 * between claiming and committing leaves a record that only {@code unblock()} can clear, and {@code unblock()}
 * cannot tell a dead producer from a slow one; it also has one consumer. So the FIFO queue
 * ({@link io.ipckit.queue.FifoQueueCore}) runs single-producer single-consumer byte rings, called lanes, each with a
 * tail word and a head word that pack the byte position and the element count ({@link io.ipckit.queue.LaneWords}).
 * Every change is published by one release store after the bytes are in place, so a kill at any point leaves a
 * consistent queue: no torn element is ever visible, no committed element is lost, and what a dead process left
 * half-done is finished by whoever takes its lock next.
 * <p>
 * How the FIFO pieces fit, one handle's view:
 * <ul>
 * <li>Lanes. Lane 0 is shared by producers under its producer lock; lanes 1.. (with
 * {@link io.ipckit.queue.QueueOptions#producerLanes}) are exclusive: a producing handle claims one by its owner word
 * and then writes it with no lock and no fence per element. Each lane has a consumer lock that a consumer holds for
 * one call. In an ordered queue ({@link io.ipckit.queue.QueueOptions#fifoAcrossProducers}) every element carries a
 * ticket from one counter the producers share, and consumers take tickets in order under lane 0's consumer lock,
 * which then guards every lane. Locks are {@link io.ipckit.core.internal.kit.BiasedOwnerLock}s (an owner word of pid and start time, taken
 * over when the owner is dead, kept between calls by a lone handle), so an uncontended put or take costs no atomic
 * instruction.</li>
 * <li>{@link io.ipckit.queue.FifoProducer}, over {@link io.ipckit.queue.ProducerClaims},
 * {@link io.ipckit.queue.ProducerHold} and {@link io.ipckit.queue.ProducerLane}: the producer side. The fast
 * path writes one record at the tail of a lane it holds and publishes it with a release store of the tail word,
 * then a commit stamp in the record before it (a batch that fits is written whole, then published once: see
 * {@code ProducerLane#putRecordsFast}); the general path takes the lock, waits for room, writes padding at
 * the ring's end, splits long elements into BEGIN/MIDDLE/END records and serves zero-copy claims.</li>
 * <li>{@link io.ipckit.queue.FifoConsumer}, over {@link io.ipckit.queue.FastTakeLane},
 * {@link io.ipckit.queue.TicketOrderLane}, {@link io.ipckit.queue.ConsumerLane} and
 * {@link io.ipckit.queue.LaneLooks}: the consumer side. It visits
 * the lanes in round-robin order; a record is published when its commit stamp names the head position (a read of the
 * record's own cache line) or the tail word lies past it. Split elements are reassembled while the consumer keeps
 * the lane's lock ({@link io.ipckit.core.internal.kit.MessageAssembler}), and discarded when their writer died or
 * gave up.</li>
 * <li>{@link io.ipckit.queue.QueueWalker}: peek, forEach and remove, which read a lane from head to tail under its
 * consumer lock without taking; a removal marks the element's first record REMOVED behind "removal words" that let
 * the next lock holder finish it.</li>
 * <li>{@link io.ipckit.queue.JoinCounter}: {@link io.ipckit.queue.JoinableQueue}'s unfinished tasks, as (elements put
 * − elements done), the first summed from the tail words so that it cannot disagree with what was published.</li>
 * <li>Waking: producers and consumers sleep on doorbells ({@link io.ipckit.core.internal.kit.Doorbell}) after
 * registering, and the side that made progress rings only when someone is registered, ordered by
 * {@link io.ipckit.core.internal.wait.AsymmetricFence}, so an idle queue costs no system call.</li>
 * </ul>
 * Each class keeps the invariants it maintains in its own note to maintainers.
 * <p>
 * LIFO and priority queues ({@link io.ipckit.queue.SlotQueueCore}) keep elements in fixed slots under one lock and
 * scan them: simple, crash-consistent (a slot's state word is the only publication) and fast enough for the
 * hundreds-to-thousands of elements such queues hold.
 */
package io.ipckit.queue;
