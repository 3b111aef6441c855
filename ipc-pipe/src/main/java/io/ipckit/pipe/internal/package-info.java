/**
 * Internals of the pipe and queue packages that both use; not for users: the API may change without notice.
 */
package io.ipckit.pipe.internal;
