"""Attach ipckit shared memory from CPython: numpy arrays over Java-created SharedArrays, without copying.

    import ipckit_shm
    with ipckit_shm.attach_array("prices") as shared:   # created in Java: SharedArray.create("prices", ...)
        a = shared.array                                  # numpy.ndarray over the shared elements
        print(a.sum()); a[0, 0] = 1.5                     # Java sees the write
        del a                                             # drop views before the block ends

A SharedArray file is one POSIX shared-memory object: the 64-byte ipckit header, the array metadata (dtype code,
item size, ndim, shape, strides), then the elements from ``header length`` (64-aligned), C order, little-endian.
The layout is drawn in Java by ``io.ipckit.shm.array.SharedArrayDescriptor``.

Segments are attached without letting Python's resource tracker adopt them: before Python 3.13 the tracker would
unlink a segment it merely attached when this interpreter exits (cpython#82300), destroying the Java side's data.
"""
import mmap
import os
import struct
import sys
import time

import numpy as np
from multiprocessing import resource_tracker, shared_memory

MAGIC = 0x312E54494B435049          # "IPCKIT.1", little-endian
READY = 0x59444552                  # "REDY", written last by the creator
KIND_SHARED_ARRAY = 1
ARRAY_LAYOUT_VERSION = 1
COMMON_HEADER = struct.Struct("<QiiiiqqqqI")   # magic kind version header_length flags total pid start created ready
ARRAY_METADATA = struct.Struct("<iiii")        # dtype code, item size, ndim, reserved; shape and strides follow
ARRAY_METADATA_OFFSET = 64
DTYPES = {1: "|b1", 2: "|i1", 3: "|u1", 4: "<i2", 5: "<i4", 6: "<i8", 7: "<f4", 8: "<f8"}
POSIX_SHM_DIR = "/dev/shm"


def shared_directory():
    """The directory ipckit uses: $IPCKIT_DIR, else /dev/shm (as in Java without -Dipckit.dir)."""
    return os.environ.get("IPCKIT_DIR") or POSIX_SHM_DIR


def untracked_shared_memory(name, create=False, size=0):
    """multiprocessing.shared_memory.SharedMemory that this interpreter's resource tracker never unlinks."""
    if sys.version_info >= (3, 13):
        return shared_memory.SharedMemory(name, create=create, size=size, track=False)
    shm = shared_memory.SharedMemory(name, create=create, size=size)
    resource_tracker.unregister(shm._name, "shared_memory")
    return shm


class _MappedFile:
    """A segment outside /dev/shm (IPCKIT_DIR): the same bytes, mapped with mmap."""

    def __init__(self, path):
        fd = os.open(path, os.O_RDWR)
        try:
            self._mmap = mmap.mmap(fd, 0)
        finally:
            os.close(fd)
        self.buf = memoryview(self._mmap)
        self.size = len(self._mmap)

    def close(self):
        self.buf.release()
        self._mmap.close()


def open_segment(name, directory=None):
    """Opens a raw segment by name, as Java's SharedMemory.open(name); returns an object with .buf and .close()."""
    directory = directory or shared_directory()
    if os.path.realpath(directory) == POSIX_SHM_DIR:
        return untracked_shared_memory(name)
    return _MappedFile(os.path.join(directory, name))


class AttachedArray:
    """A numpy array over a Java SharedArray. Delete every view of .array before close()."""

    def __init__(self, name, segment, array, header_length):
        self.name = name
        self.array = array
        self.header_length = header_length
        self._segment = segment

    def close(self):
        self.array = None
        self._segment.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def attach_array(name, directory=None, timeout_s=5.0):
    """Maps the Java SharedArray `name` and returns an AttachedArray whose .array views its elements (no copy).

    Raises FileNotFoundError when it does not exist and ValueError when the file is not a published SharedArray
    of a layout this module reads (wrong kind, corrupt or truncated header).
    """
    segment = open_segment(name, directory)
    try:
        buf = segment.buf
        if len(buf) < ARRAY_METADATA_OFFSET + ARRAY_METADATA.size:
            raise ValueError("%r is %d bytes, too short for a SharedArray header" % (name, len(buf)))
        deadline = time.monotonic() + timeout_s
        while True:
            magic, kind, version, header_length, _, total, _, _, _, ready = COMMON_HEADER.unpack_from(buf, 0)
            if ready == READY and magic == MAGIC:
                break
            if magic not in (0, MAGIC) or time.monotonic() > deadline:
                raise ValueError("%r is not a published ipckit resource (magic %#x, ready %#x)" % (name, magic, ready))
            time.sleep(0.001)
        if kind != KIND_SHARED_ARRAY:
            raise ValueError("%r is ipckit resource kind %d, not a SharedArray (%d)" % (name, kind, KIND_SHARED_ARRAY))
        if version > ARRAY_LAYOUT_VERSION:
            raise ValueError("%r has SharedArray layout %d; this module reads %d" % (name, version, ARRAY_LAYOUT_VERSION))
        if total != len(buf) or header_length % 64 or header_length > total:
            raise ValueError("%r is %d bytes but its header says %d (header %d): truncated or corrupt"
                             % (name, len(buf), total, header_length))
        code, item_size, ndim, _ = ARRAY_METADATA.unpack_from(buf, ARRAY_METADATA_OFFSET)
        if code not in DTYPES or not 0 <= ndim <= 32:
            raise ValueError("%r has corrupt metadata: dtype code %d, ndim %d" % (name, code, ndim))
        dtype = np.dtype(DTYPES[code])
        if dtype.itemsize != item_size:
            raise ValueError("%r has corrupt metadata: item size %d for %s" % (name, item_size, dtype))
        shape_offset = ARRAY_METADATA_OFFSET + ARRAY_METADATA.size
        shape = struct.unpack_from("<%dq" % ndim, buf, shape_offset)
        strides = struct.unpack_from("<%dq" % ndim, buf, shape_offset + 8 * ndim)
        # numpy checks that shape and strides stay within the buffer, so a corrupt header cannot reach outside it
        array = np.ndarray(shape, dtype=dtype, buffer=buf, offset=header_length, strides=strides)
        return AttachedArray(name, segment, array, header_length)
    except BaseException:
        segment.close()
        raise
