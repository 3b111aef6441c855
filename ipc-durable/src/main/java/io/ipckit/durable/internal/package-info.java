/**
 * Internals of ipckit's durable log: the doorbell file beside each log ({@link
 * io.ipckit.durable.internal.LogDoorbellDescriptor}), the framing of a record inside a Chronicle Queue document
 * ({@link io.ipckit.durable.internal.LogRecordDescriptor}) and the checks and retention of a log's files
 * ({@link io.ipckit.durable.internal.LogFiles}, with {@link io.ipckit.durable.internal.CycleFileEnd} reading where a
 * cycle file's records end). Not for users: nothing here is a stable API.
 */
package io.ipckit.durable.internal;
