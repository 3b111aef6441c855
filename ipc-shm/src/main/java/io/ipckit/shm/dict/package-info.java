/**
 * {@link io.ipckit.shm.dict.SharedDict}: a {@link java.util.concurrent.ConcurrentMap} in one shared-memory file,
 * for processes that would share a {@code multiprocessing.Manager().dict()} in Python — with no manager process.
 * <p>
 * <b>Design.</b> The file ({@link io.ipckit.shm.dict.SharedDictDescriptor}) holds a header, a directory and
 * fixed-size segments. A key's 64-bit hash picks a directory entry by its low bits (extendible hashing); the entry
 * names the segment that serves every hash with that prefix. A segment is an open-addressing table of 8-byte slots
 * (tag and entry offset) over a bump-allocated heap of immutable entries.
 * <ul>
 * <li><b>Readers</b> never write: they find the segment, read its sequence (a seqlock, odd while a writer changes
 * something a reader could trip on), probe, copy or hand over the value in place, and retry if the sequence moved.
 * Every offset is validated before use, so a torn read never leaves the mapping.</li>
 * <li><b>Writers</b> lock one segment with an owner-recording lock (pid and start time, as the kit's
 * {@link io.ipckit.core.internal.kit.OwnerLock}), write the new entry out of place and publish it with one release
 * store of its slot. Compound operations ({@code compute}, {@code merge}, {@code putIfAbsent}, ...) run under that
 * lock, so they are atomic per key across processes.</li>
 * <li><b>Growth</b>: a full segment splits in two (its prefix grows by a bit; the directory doubles when it must) or,
 * when mostly garbage, is compacted into a fresh one; either way out of place, the old segment retired to a free
 * list for reuse. The file is sparse at its bound's length and mapped whole once, so nothing is remapped; each new
 * segment's pages are allocated before use, so a full {@code /dev/shm} is an exception, not a SIGBUS.</li>
 * <li><b>Death of a writer</b>: a lock whose holder is dead is taken over (within the liveness interval) by the
 * next process that needs it, which repairs what the dead writer left (sequence parity, counters, a journaled
 * half-done split) and counts the takeover; readers meanwhile read the frozen segment, which holds each key's value
 * before or after the interrupted mutation. The invariants are in the notes to maintainers of {@code DictCore}
 * (entries) and {@code DictStructure} (locks, journal, growth).</li>
 * </ul>
 * Pieces: {@code SharedDict} (the API, codecs), {@code DictCore} (entries: probe, read, store, delete),
 * {@code DictStructure} (directory, locks, takeover and repair, splits and compactions),
 * {@code DictViews} (the walk behind size, clear and the views), {@code DictFile} (creating, validating and
 * growing the sparse file), {@link io.ipckit.shm.dict.SharedDictOptions}, {@link io.ipckit.shm.dict.ValueHandler}
 * and {@link io.ipckit.shm.dict.ValueWriter} (the zero-copy forms).
 */
package io.ipckit.shm.dict;
