/**
 * Building blocks shared by pipes and queues: {@link io.ipckit.core.internal.kit.OwnerToken} (a process identity in one
 * word, for compare-and-set ownership with dead-owner takeover), {@link io.ipckit.core.internal.kit.Doorbell} (a futex
 * wake signal that costs a fence and a load when nobody sleeps), {@link io.ipckit.core.internal.kit.Waiter} (one
 * bounded wait, sleeping or spinning, with periodic liveness checks) and
 * {@link io.ipckit.core.internal.kit.MessageAssembler} (reassembly of messages split into fragments).
 */
package io.ipckit.core.internal.kit;
