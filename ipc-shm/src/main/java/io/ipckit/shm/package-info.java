/**
 * Shared memory between processes, Python's {@code multiprocessing.shared_memory} for the JVM.
 * <ul>
 *     <li>{@link io.ipckit.shm.SharedMemory}: a raw named segment with no header, byte-for-byte a POSIX shared
 *     memory object, so CPython opens it by name and Java opens segments CPython created;</li>
 *     <li>{@link io.ipckit.shm.array.SharedArray}: an n-dimensional typed array with numpy's layout;</li>
 *     <li>{@link io.ipckit.shm.value.SharedValue}: Python's {@code Value}/{@code Array}, with atomic operations;</li>
 *     <li>{@link io.ipckit.shm.list.ShareableList}: Python's {@code ShareableList} without its string defects;</li>
 *     <li>{@link io.ipckit.shm.SharedMemoryManager}: unlinks everything it created when closed.</li>
 * </ul>
 * Every resource is one file in the shared directory ({@link io.ipckit.core.SharedDirectory}); those created
 * without {@code persistent} are removed by the resource tracker when their creator dies without unlinking them.
 * <p>
 * <b>No call crashes the JVM.</b> Every public method of the structures here and in {@code io.ipckit.shm.sync}
 * that touches shared memory throws {@link io.ipckit.core.exceptions.ResourceClosedException} once its handle (or
 * the handle its view, iterator or condition hangs off) is closed, and
 * {@link io.ipckit.core.exceptions.CorruptResourceException} naming the file when another process truncated it
 * while mapped here. The limits HotSpot sets on the latter (an interpreted compare-and-set racing the truncation;
 * the asynchronous {@link InternalError} of compiled code) are stated in {@link io.ipckit.core.file.MappedFile}.
 * The raw memory of {@link io.ipckit.shm.SharedMemory#buffer()} is the caller's own: its mapping stays valid after the
 * handle's close, until the buffer is garbage collected.
 */
package io.ipckit.shm;
