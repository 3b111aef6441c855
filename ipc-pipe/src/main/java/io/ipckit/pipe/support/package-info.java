/**
 * Building blocks shared by pipes and queues: {@link io.ipckit.pipe.support.OwnerToken} (a process identity in one
 * word, for compare-and-set ownership with dead-owner takeover), {@link io.ipckit.pipe.support.Doorbell} (a futex
 * wake signal that costs a fence and a load when nobody sleeps), {@link io.ipckit.pipe.support.Waiter} (one
 * bounded wait, sleeping or spinning, with periodic liveness checks) and
 * {@link io.ipckit.pipe.support.MessageAssembler} (reassembly of messages split into fragments).
 */
package io.ipckit.pipe.support;
