/**
 * The manager: Python's {@code multiprocessing.Manager} for the JVM. A server process owns objects (maps, lists,
 * locks, queues, user types) and hands out proxies; every proxy call is a request to it.
 *
 * <h2>Design</h2>
 * <ul>
 *   <li><b>Transport.</b> A local manager ({@link io.ipckit.manager.Manager#start}) listens on a Unix domain socket
 *   in the shared directory, a served one ({@link io.ipckit.manager.Manager#serve}) on TCP or any Unix socket. The
 *   same framed protocol runs over both ({@link io.ipckit.manager.connection}). A per-client ipckit pipe would cut
 *   the local round trip (a spinning pipe answers in well under a microsecond, a Unix socket in some) but would
 *   need a manager thread spinning or parked per client (a futex cannot be multiplexed the way a socket can), which
 *   breaks the bound on server threads and turns every idle client into a waiting thread; and the kernel closing a
 *   dead client's socket is what tells the manager at once that the client died, and a client at once that the
 *   manager died. The socket was chosen for this first version; a pipe fast path for local clients is the way to
 *   the 5 µs target (see the module's report).</li>
 *   <li><b>Calls.</b> One connection per handle carries the calls of all its threads, each with an id; a reader
 *   thread hands each reply to its waiting caller (spin, then park). Arguments and results are Java-serialized
 *   through an {@link java.io.ObjectInputFilter} allow-list on both sides; proxies inside them travel as references
 *   and become proxies again on the other side, so nested proxies work.</li>
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
 * </ul>
 * No shared-memory layout is defined here: the manager's state lives in its heap.
 */
package io.ipckit.manager;
