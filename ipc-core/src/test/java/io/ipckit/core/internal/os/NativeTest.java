package io.ipckit.core.internal.os;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class NativeTest
{
    @TempDir
    Path dir;

    @Test
    void shouldCreateAnOwnerOnlyAllocatedFileExclusively() throws IOException
    {
        assumeTrue(Native.isLinux());
        final Path file = dir.resolve("allocated");
        assertEquals(0, Native.createAllocated(file.toString(), 10_000));
        assertEquals(10_000, Files.size(file));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(Native.EEXIST, Native.createAllocated(file.toString(), 10_000));
        assertEquals(Native.ENOENT, Native.createAllocated(dir.resolve("missing/file").toString(), 10));
    }

    @Test
    void shouldAllocateByWritingAZeroPerPageWhereFallocateIsRefused() throws IOException
    {
        assumeTrue(Native.isLinux());
        for (final long length : new long[] {1, 4096, 4097, 3 * 4096 + 5})
        {
            final Path file = dir.resolve("written-" + length);
            assertEquals(0, Native.createAllocated(file.toString(), length, true));
            assertArrayEquals(new byte[(int)length], Files.readAllBytes(file), "length " + length);
        }
        assertEquals(0, Native.createAllocated(dir.resolve("empty").toString(), 0, true));
        assertEquals(0, Files.size(dir.resolve("empty")));
    }

    @Test
    void shouldRefuseToSleepOnAChangedWordTimeOutAndWakeNobody()
    {
        assumeTrue(Native.isLinux());
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment word = arena.allocate(4, 4);
            word.set(ValueLayout.JAVA_INT, 0, 7);
            assertEquals(Native.EAGAIN, Native.futexWait(word.address(), 8, 1_000_000L));
            assertEquals(Native.ETIMEDOUT, Native.futexWait(word.address(), 7, 1_000_000L));
            assertEquals(0, Native.futexWake(word.address(), Integer.MAX_VALUE));
            assertEquals(true, Native.membarrier(0) >= 0);
        }
    }
}
