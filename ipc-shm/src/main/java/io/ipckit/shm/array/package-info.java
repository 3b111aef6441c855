/**
 * numpy-style n-dimensional arrays in shared memory.
 * <p>
 * {@link io.ipckit.shm.array.SharedArray} is one typed resource file: the common ipckit header, the array
 * metadata ({@link io.ipckit.shm.array.SharedArrayDescriptor}: dtype, ndim, shape, strides), then the elements
 * from a 64-byte aligned offset in C order, little-endian — exactly what
 * {@code numpy.ndarray(shape, dtype, buffer, offset=header_length)} expects, so CPython maps the same elements
 * ({@code demos/python/ipckit_shm.py}). Element types are {@link io.ipckit.shm.array.DType}s. The creator writes
 * the metadata and an opener validates it ({@code ArrayHeader}) before any element is touched.
 * <p>
 * Views (slice, reshape, transpose) carry their own geometry ({@code ArrayLayout}: shape, strides, offset) over
 * the owner's mapping. Sums and extrema run row by row in tight loops over the
 * {@link java.lang.foreign.MemorySegment} ({@code Reductions}), with four accumulators on dense rows so that they
 * are bound by memory bandwidth; fills and copies also go row by row ({@code ArrayCopies}).
 * <p>
 * Note to maintainers: every offset handed to a {@code DType} accessor is inside the mapping because the shape,
 * strides and offset were checked against the data length when the array was created, opened, wrapped or viewed;
 * keep that invariant in any new view.
 */
package io.ipckit.shm.array;
