/**
 * A {@link io.ipckit.durable.SharedLog} or a queue bridged to another host, over {@link io.ipckit.net.NetPipe}
 * connections.
 * <ul>
 *     <li><b>A log replicated to remote readers:</b> {@link io.ipckit.net.bridge.LogReplicator} serves a local log
 *     to a set of replicas; each {@link io.ipckit.net.bridge.LogReplica} on another host appends its records, in order, to a local replica
 *     log that local readers read as any log. A replica that restarts resumes after the last record it appended
 *     (a write-ahead state file beside the replica log says which), asking the replicator for the records from
 *     there ({@link io.ipckit.net.bridge.BridgeMessageDescriptor}).</li>
 *     <li><b>Remote producers feeding a local queue:</b> {@link io.ipckit.net.bridge.QueueBridge} puts what each
 *     producer sends on a {@link io.ipckit.net.NetConnection} into a local queue of the queue family.</li>
 * </ul>
 * <h2>Why replay reads the log, not an Aeron Archive</h2>
 * A replica that joins late or comes back needs the records it missed. Aeron Archive would record the stream into
 * its own segment files and replay them; here the source is already a durable, indexed log, so the replicator reads
 * it again from the index the replica asks for, with a reader of its own. That keeps one copy of the records, one
 * retention policy (the log's), no archive process, and the same indices the log's own readers use. The cost: a
 * replica can only resume from records the source log still holds (its retention decides), and a replica that asks
 * for a deleted one is refused, naming the index.
 * <h2>Threads</h2>
 * The serving sides ({@link io.ipckit.net.bridge.LogReplicator}, {@link io.ipckit.net.bridge.QueueBridge}) each
 * accept peers on one {@link io.ipckit.net.NetListener} and serve each peer, any number at once, with a thread of
 * its own until it closes or is gone, so one slow or dead peer holds back no other; the replica is driven by
 * its owner's thread ({@link io.ipckit.net.bridge.LogReplica#replicate}), so end-of-stream and peer-gone reach that
 * thread as exceptions.
 */
package io.ipckit.net.bridge;
