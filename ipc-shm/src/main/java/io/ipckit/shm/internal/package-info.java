/**
 * Internals of ipc-shm shared by its packages: not part of the public API, and free to change between versions.
 */
package io.ipckit.shm.internal;
