package io.ipckit.demos.frames;

import io.ipckit.shm.array.SharedArray;

/**
 * The frame demo's shared state: a 2-D {@code uint8} array (the display matrix of the Python notes) and a small
 * {@code int64} control array {@code <name>-ctl} holding a seqlock, the frame count, a done flag, the checksum
 * of the frame in the matrix and the number of readers attached. The writer makes the seqlock odd, writes the frame
 * and its checksum, then makes it even; a reader copies the frame between two equal, even seqlock reads, so it never
 * shows a torn frame.
 * The seqlock is read and written with the array's atomic operations (full fences).
 */
final class FrameProtocol
{
    static final int SEQLOCK = 0;
    static final int FRAMES = 1;
    static final int DONE = 2;
    static final int CHECKSUM = 3;
    static final int READERS = 4;
    static final int CONTROL_LENGTH = 5;

    private FrameProtocol()
    {
    }

    static String controlName(final String name)
    {
        return name + "-ctl";
    }

    static long readAtomically(final SharedArray control, final int index)
    {
        return control.getAndAdd(index, 0);
    }

    /**
     * @return a checksum of the frame's bytes (FNV-1a over every element).
     */
    static long checksum(final byte[] frame)
    {
        long hash = 0xcbf29ce484222325L;
        for (final byte b : frame)
        {
            hash = (hash ^ (b & 0xFF)) * 0x100000001b3L;
        }
        return hash;
    }
}
