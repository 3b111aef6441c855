/**
 * {@link io.ipckit.shm.list.ShareableList}: Python's {@code ShareableList} as a fixed-size {@link java.util.List}
 * in shared memory, with exact-length UTF-8 strings and a seqlock per slot
 * ({@link io.ipckit.shm.list.ShareableListDescriptor}).
 */
package io.ipckit.shm.list;
