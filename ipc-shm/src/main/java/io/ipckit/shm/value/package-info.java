/**
 * Shared values: Python's {@code multiprocessing.Value} and {@code Array}, a typed scalar or fixed array in one
 * resource file ({@link io.ipckit.shm.value.SharedValueDescriptor}) with volatile reads and writes, atomic add and
 * compare-and-set on int32/int64, and an optional {@link java.util.concurrent.locks.Lock} for compound updates.
 */
package io.ipckit.shm.value;
