/**
 * Python's {@code multiprocessing} synchronisation primitives across JVMs: {@link io.ipckit.shm.sync.SharedLock}
 * ({@code Lock}), {@link io.ipckit.shm.sync.SharedReentrantLock} ({@code RLock}),
 * {@link io.ipckit.shm.sync.SharedCondition} ({@code Condition}), {@link io.ipckit.shm.sync.SharedSemaphore}
 * ({@code Semaphore}, {@code BoundedSemaphore}), {@link io.ipckit.shm.sync.SharedEvent} ({@code Event}) and
 * {@link io.ipckit.shm.sync.SharedBarrier} ({@code Barrier}).
 * <p>
 * Each is a named resource file ({@link io.ipckit.core.file.ResourceFile} of its own
 * {@link io.ipckit.core.file.ResourceKind}) whose data section a {@code *Descriptor} draws. Another process opens
 * it by name. Blocking uses the cross-process kit of ipc-core, as pipes and queues do: one wait loop
 * ({@link io.ipckit.core.internal.kit.Waiter}) spins briefly, then sleeps on a
 * {@link io.ipckit.core.internal.kit.Doorbell}; the side that makes progress enters the kernel only when someone
 * sleeps, so idle waiters use no CPU. Every blocking call
 * has a timeout variant and honours interruption.
 * <p>
 * <b>Dead processes.</b> Ownership is recorded as an {@link io.ipckit.core.internal.kit.OwnerToken} (pid and start
 * time in one 64-bit word, so that it is claimed and taken over with one compare-and-set). A waiter re-checks every
 * {@value io.ipckit.core.internal.kit.LivenessCheckInterval#INTERVAL_DEFAULT_MS} ms (property
 * {@value io.ipckit.core.internal.kit.LivenessCheckInterval#INTERVAL_PROP_NAME}, shared with pipes and queues) whether the processes it depends on
 * are alive: a lock whose owner died is taken over (and the new owner is told, as {@code EOWNERDEAD}), permits held
 * by a dead process are returned to an owner-tracking semaphore, and a barrier with a dead party breaks. Once a look
 * found them alive, a waiter hands those processes to the kernel ({@code PeerWatch}: a pidfd each, on Linux 5.3 and
 * later) and sleeps until one of them exits, the doorbell rings, or a quarter of a second passes (the bound on noticing
 * an interrupt), looking for itself once a second; so a dead owner is found as it dies, and a blocked waiter uses
 * 1 to 4 ms of CPU per 2 s on the machine measured. Waits on events and conditions depend on no process and sleep
 * the same way.
 * <p>
 * <b>Owner slots.</b> An owner-tracking semaphore records each process's permits in a slot of a table in its file
 * ({@code ProcessTable}, which a barrier uses for the processes attached to it). The threads of one JVM count
 * themselves in and out of their process's slot with an {@code OwnerSlot}, shared by the JVM's handles of the file:
 * without a lock once the process has its slot; the last one out frees the slot when the process holds no permit,
 * and a full table is waited for like a lack of permits.
 * <p>
 * <b>Closed and truncated files.</b> Every method that touches the shared state throws
 * {@link io.ipckit.core.exceptions.ResourceClosedException} after {@code close()} and
 * {@link io.ipckit.core.exceptions.CorruptResourceException} when another process truncated the file; waiters check
 * the file's size at the liveness interval, before any take-over, and {@code close()} of a truncated file unmaps it
 * without touching it. Every compare-and-set follows a read of its word, which is what keeps a truncation from
 * crashing the JVM (see {@link io.ipckit.core.file.MappedFile} for the window HotSpot leaves).
 */
package io.ipckit.shm.sync;
