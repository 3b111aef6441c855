/**
 * The manager: Python's {@code multiprocessing.Manager} for the JVM. A server process owns objects (maps, lists,
 * locks, queues, user types) and hands out proxies; every proxy call is a request to it.
 *
 * <h2>Design</h2>
 * <ul>
 *   <li><b>Transport.</b> A local manager ({@link io.ipckit.manager.Manager#start}) listens on a Unix domain socket
 *   in the shared directory, a served one ({@link io.ipckit.manager.Manager#serve}) on TCP or any Unix socket. The
 *   same framed protocol runs over both ({@link io.ipckit.manager.connection}), and over any transport a
 *   {@link io.ipckit.manager.connection.TransportProvider} adds (ipc-net: Aeron UDP, by serving on an
 *   {@code io.ipckit.net.manager.AeronAddress}; a dead peer is then noticed by Aeron's liveness timeout instead of
 *   the kernel closing a socket). Every client starts on the socket, which authenticates it; a client of the same
 *   host then switches to a pipe in shared memory (the fast path: {@code FastPath}, served by a fixed set of
 *   manager threads that take turns leading, so idle clients cost no thread); a client that dies there is noticed
 *   through the kernel's watch of its process. {@code -Dipckit.manager.pipe=false} keeps local clients on the
 *   socket.</li>
 *   <li><b>Calls.</b> One connection per handle carries the calls of all its threads, each with an id; a reader
 *   thread hands each reply to its waiting caller (spin, then park). Arguments and results are Java-serialized
 *   through an {@link java.io.ObjectInputFilter} allow-list on both sides; proxies inside them travel as references
 *   and become proxies again on the other side, so nested proxies work. The allow-list names each manager class
 *   that travels; a proxy serialized outside the protocol (to hand to another JVM) is refused inside it, and the JVM
 *   that decodes one joins only a manager of its own shared directory, with its own options. Frames are bounded by
 *   {@link io.ipckit.manager.ManagerOptions#maxFrameBytes} on the socket and on the pipe alike, and joining a
 *   manager, handshake included, by the call timeout.</li>
 *   <li><b>Names.</b> A start claims its name with a lock on {@code manager-<name>.lock} until its handle is
 *   connected, so two starts of one name never touch each other's files; a live record or answering socket refuses
 *   a start, naming the manager's pid.</li>
 *   <li><b>Threads.</b> The manager runs calls on virtual threads; its platform threads are their carriers (about
 *   the number of cores, {@link io.ipckit.manager.ManagerOptions#serverThreads}), so a thousand clients blocked in
 *   {@code take()} or {@code lock()} hold no platform thread.</li>
 *   <li><b>Leases.</b> Each connection is a lease keyed by the client's process identity (pid + start time). It
 *   ends when the socket closes (the kernel closes a killed process's sockets) or when the process is seen dead;
 *   then the client's running calls are interrupted, the locks it owns are released, its references dropped.</li>
 *   <li><b>Locks</b> in the manager are owned by (client connection, client thread), not by the manager thread
 *   that ran the call, so ownership survives the manager running each call on a different thread.</li>
 *   <li><b>Failures.</b> Calls time out; a manager's death fails every call at once with
 *   {@link io.ipckit.manager.ManagerGoneException}; a manager-side exception comes back as the same class when it
 *   can, with a {@link io.ipckit.manager.RemoteManagerException} holding the manager-side trace as cause.</li>
 *   <li><b>Durability</b> ({@link io.ipckit.manager.ManagerOptions#durable}). Every call that changes the
 *   manager's state is appended to a journal (ipc-durable's {@code Journal}, Chronicle Queue) before its reply is
 *   sent, under one lock that makes the journal's order the order of the changes; a snapshot of the whole state is
 *   appended every {@link io.ipckit.manager.ManagerOptions#snapshotEveryEntries} entries or more (paced to a tenth
 *   of the time at most) and at shutdown; a manager started on the journal takes the last snapshot and replays the
 *   entries after it. Each call carries its client
 *   handle's random nonce and the handle's sequence number of the call, and the manager keeps the outcome of each
 *   journaled call until the client's later calls say it has the reply ({@code ackBelow}, and the same thread's next
 *   call, so that a call that waits long holds back about one outcome per thread), so a call sent again after a
 *   crash is answered with its first outcome instead of being applied twice, and one sent again after its caller
 *   gave it up is refused. Clients reconnect by themselves (a transparent retry
 *   within each call's timeout, bounded by {@link io.ipckit.manager.ManagerOptions#reconnectTimeout}) rather than
 *   through a second {@code connect}: their proxies, threads blocked in calls and calls in flight then carry on
 *   unchanged, which is what makes "none applied twice" checkable at all.
 *   <p>
 *   Per type: containers, values, arrays, namespaces keep their content; queues their elements (and a joinable
 *   queue its unfinished count), a semaphore its count, an event its flag. A blocking call on a queue or semaphore
 *   ({@code take}, {@code put}, {@code poll}/{@code offer} with a timeout, {@code acquire}) is journaled as the
 *   non-blocking form that succeeded, so the content is durable and replay never waits. Locks, conditions and
 *   barriers keep nothing but their existence: their state is which client threads hold or wait, and every client
 *   connection ends with the manager's process, exactly as when each client dies (the lease rule), so a restart
 *   releases them; a lock held across a restart fails its {@code unlock} with
 *   {@link java.lang.IllegalMonitorStateException}, which tells its holder that its critical section was broken
 *   rather than pretending it was not. A pool keeps its workers' count but not its tasks in flight: replaying a
 *   task would run it twice. Objects that existed at a restart stay until shutdown (the manager cannot know which
 *   clients still hold proxies to them).</li>
 * </ul>
 * No shared-memory layout is defined here: the manager's state lives in its heap (and, when durable, its journal).
 */
package io.ipckit.manager;
