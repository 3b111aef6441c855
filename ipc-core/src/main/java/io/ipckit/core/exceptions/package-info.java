/**
 * The exceptions of ipckit: one unchecked root, {@link io.ipckit.core.exceptions.IpcException}, and a subclass per
 * failure a caller may want to tell apart. Expected outcomes (full, empty, timed out where the API returns a
 * value) are return values, not exceptions.
 */
package io.ipckit.core.exceptions;
