"""Driven by ipc-shm's PythonInteropTest: each command checks one direction of Java <-> CPython sharing.

    interop_check.py check-java-array <dir> <name>   Java made a float64 (3, 4) array with a[i, j] = 10 i + j and
                                                     an int32 (2, 3, 4) array "<name>-ints" with arange(24); check
                                                     both, double the float array, write sums into the int array.
    interop_check.py create-raw <dir> <name> <n>     make a segment of n float64 = 1.5 * arange(n) and hand it to
                                                     Java (Java unlinks it).
Exits 0 on success; prints what differs and exits 1 otherwise.
"""
import sys

import numpy as np
from multiprocessing import resource_tracker

import ipckit_shm


def check_java_array(directory, name):
    with ipckit_shm.attach_array(name, directory) as shared, \
            ipckit_shm.attach_array(name + "-ints", directory) as ints:
        a = shared.array
        expected = np.add.outer(10.0 * np.arange(3), np.arange(4.0))
        if a.dtype != np.float64 or a.shape != (3, 4) or not np.array_equal(a, expected):
            print("float array differs: %s %s\n%s" % (a.dtype, a.shape, a))
            return 1
        b = ints.array
        if b.dtype != np.int32 or b.shape != (2, 3, 4) or not np.array_equal(b, np.arange(24).reshape(2, 3, 4)):
            print("int array differs: %s %s\n%s" % (b.dtype, b.shape, b))
            return 1
        a *= 2
        b[1, 2, 3] = int(a.sum())
        b[0, 0, 0] = b[:, 1, :].sum()
        del a, b
    stop_resource_tracker()
    return 0


def create_raw(directory, name, n):
    if directory != ipckit_shm.POSIX_SHM_DIR:
        print("create-raw uses multiprocessing.shared_memory, which lives in /dev/shm, not %s" % directory)
        return 1
    shm = ipckit_shm.untracked_shared_memory(name, create=True, size=8 * n)
    a = np.ndarray((n,), dtype=np.float64, buffer=shm.buf)
    a[:] = 1.5 * np.arange(n)
    del a
    shm.close()
    stop_resource_tracker()
    return 0


def stop_resource_tracker():
    """Waits for this interpreter's resource tracker to finish, so any unlink it would do has happened by exit."""
    stop = getattr(resource_tracker._resource_tracker, "_stop", None)
    if stop is not None:
        stop()


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "check-java-array":
        sys.exit(check_java_array(sys.argv[2], sys.argv[3]))
    if command == "create-raw":
        sys.exit(create_raw(sys.argv[2], sys.argv[3], int(sys.argv[4])))
    print("unknown command %r" % command)
    sys.exit(2)
