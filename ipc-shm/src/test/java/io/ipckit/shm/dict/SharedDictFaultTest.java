package io.ipckit.shm.dict;

import io.ipckit.core.codec.Codecs;
import io.ipckit.core.exceptions.CorruptResourceException;
import io.ipckit.core.internal.kit.OwnerToken;
import io.ipckit.core.process.ProcessIdentity;
import io.ipckit.core.testing.TestDirectory;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A {@link SharedDict} against what other processes and the file system do to it: its name unlinked and reused, its
 * file shrunk under the mapping, a writer racing a zero-copy read, a segment found corrupt on a takeover, and options
 * that would leave it no room to reclaim.
 */
@Timeout(60)
class SharedDictFaultTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    private static SharedDictOptions small()
    {
        return new SharedDictOptions().segmentBytes(4096).maxBytes(16L << 20);
    }

    @Test
    void shouldGrowThroughItsOwnFileAfterItsNameWasUnlinkedAndReused()
    {
        try (SharedDict<Long, Long> first = SharedDict.create("reused", Codecs.LONG, Codecs.LONG, small()))
        {
            first.put(-1L, -1L);
            assertTrue(first.unlink()); // as its creator's tracker does when the creator exits
            try (SharedDict<Long, Long> second = SharedDict.create("reused", Codecs.LONG, Codecs.LONG, small()))
            {
                for (long k = 0; k < 2_000; k++)
                {
                    second.put(k, k * 2);
                }
                // the first dict splits its segments: before, it allocated them by name, in the second's file
                for (long k = 0; k < 2_000; k++)
                {
                    first.put(k, k * 3);
                }
                for (long k = 0; k < 2_000; k++)
                {
                    assertEquals(k * 2, second.get(k));
                    assertEquals(k * 3, first.get(k));
                }
                assertEquals(2_000, second.size());
                assertEquals(2_001, first.size());
                assertNull(second.get(-1L));
            }
        }
    }

    @Test
    void shouldNameAFileShrunkUnderItsMappingAsCorruptInsteadOfCrashing() throws IOException
    {
        try (SharedDict<Long, Long> dict = SharedDict.create("shrunk", Codecs.LONG, Codecs.LONG, small()))
        {
            dict.put(1L, 1L);
            final Path path = dir.path().resolve("shrunk");
            try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw"))
            {
                file.setLength(readInt(path, SharedDictDescriptor.SEGMENTS_OFFSET_OFFSET)); // every segment gone
            }
            // before: the put's compare-and-set of the segment lock raised SIGBUS and the JVM died
            final CorruptResourceException put = assertThrows(CorruptResourceException.class, () -> dict.put(2L, 2L));
            assertTrue(put.getMessage().contains("truncated"), put.getMessage());
            assertThrows(CorruptResourceException.class, () -> dict.get(1L));
            assertThrows(CorruptResourceException.class, () -> dict.remove(1L));
            final UnsafeBuffer key = new UnsafeBuffer(new byte[8]);
            assertThrows(CorruptResourceException.class, () -> dict.containsKey(key, 0, 8));
        }
    }

    @Test
    void shouldCopyAValueIntoASmallBufferOnlyWhenItsLengthWasReadWhole() throws InterruptedException
    {
        try (SharedDict<Long, byte[]> dict = SharedDict.create("racing", Codecs.LONG, Codecs.BYTES, small()))
        {
            for (long k = 100; k < 140; k++)
            {
                dict.put(k, new byte[500]);
            }
            for (long k = 100; k < 140; k++)
            {
                dict.remove(k); // their blocks go to the free list, whose links overwrite value lengths
            }
            final UnsafeBuffer key = new UnsafeBuffer(ByteBuffer.allocateDirect(8).order(ByteOrder.LITTLE_ENDIAN));
            final UnsafeBuffer value = new UnsafeBuffer(new byte[8]);
            dict.put(7L, new byte[8]);
            Codecs.LONG.encode(7L, key, 0);
            final AtomicBoolean stop = new AtomicBoolean();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final Thread writer = new Thread(() ->
            {
                final byte[] eight = new byte[8];
                try
                {
                    while (!stop.get())
                    {
                        dict.put(7L, eight); // replaces the entry: its old block is freed and reused
                    }
                }
                catch (final Throwable ex)
                {
                    failure.set(ex);
                }
            });
            writer.start();
            try
            {
                // before: an IndexOutOfBoundsException within about a million reads, from a torn value length
                for (int i = 0; i < 2_000_000 && failure.get() == null; i++)
                {
                    assertEquals(8, dict.get(key, 0, 8, value, 0));
                }
            }
            finally
            {
                stop.set(true);
                writer.join();
            }
            assertNull(failure.get(), "the writer raced the reads to the end");
            final UnsafeBuffer tooSmall = new UnsafeBuffer(new byte[4]);
            final IndexOutOfBoundsException ex = assertThrows(IndexOutOfBoundsException.class,
                () -> dict.get(key, 0, 8, tooSmall, 0));
            assertTrue(ex.getMessage().contains("8 bytes"), ex.getMessage());
        }
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // before the fix, the calls spun for good
    void shouldLeaveASegmentFoundCorruptOnATakeoverToNoLiveHolder() throws IOException
    {
        try (SharedDict<Long, Long> dict = SharedDict.create("bad-takeover", Codecs.LONG, Codecs.LONG, small()))
        {
            dict.put(1L, 1L);
            final Path path = dir.path().resolve("bad-takeover");
            final int segment = readInt(path, SharedDictDescriptor.SEGMENTS_OFFSET_OFFSET);
            final int heapStart = SharedDictDescriptor.SEG_SLOTS_OFFSET + 8 * (4096 / 64);
            patchIntAt(path, segment + SharedDictDescriptor.SEG_HEAP_TOP_OFFSET, heapStart); // entries past the top
            // the segment's lock held by a dead process (this pid with another start time: a reused pid)
            final ProcessIdentity self = ProcessIdentity.current();
            final long dead = OwnerToken.of(new ProcessIdentity(self.pid(), self.startTime() + 1));
            patchLongAt(path, segment + SharedDictDescriptor.SEG_LOCK_OFFSET, dead);
            final CorruptResourceException first = assertThrows(CorruptResourceException.class,
                () -> dict.put(2L, 2L));
            assertTrue(first.getMessage().contains("outside its heap"), first.getMessage());
            // before: the lock stayed with this live process, and every later call waited for it for good
            assertThrows(CorruptResourceException.class, () -> dict.put(3L, 3L));
            assertThrows(CorruptResourceException.class, () -> dict.remove(1L));
            assertEquals(dead, readLong(path, segment + SharedDictDescriptor.SEG_LOCK_OFFSET));
        }
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // before the fix: the inner put waited
    void shouldRefuseACallbackThatChangesTheDictThroughAnotherHandle()
    {
        try (SharedDict<String, String> first = SharedDict.create("nested", Codecs.STRING, Codecs.STRING, small());
             SharedDict<String, String> second = SharedDict.open("nested", Codecs.STRING, Codecs.STRING))
        {
            first.put("k", "v");
            final IllegalStateException ex = assertThrows(IllegalStateException.class,
                () -> first.compute("k", (key, old) -> second.put(key, "inner")));
            assertTrue(ex.getMessage().contains("recursive update"), ex.getMessage());
            assertEquals("v", second.get("k"), "nothing changed, and the lock was let go");
            second.put("k", "after");
            assertEquals("after", first.get("k"));
            // a callback that reads through another handle, or changes another dict, is fine
            try (SharedDict<String, String> other = SharedDict.create("other", Codecs.STRING, Codecs.STRING,
                small()))
            {
                assertEquals("after!", first.compute("k", (key, old) ->
                {
                    other.put(key, old);
                    return second.get(key) + "!";
                }));
                assertEquals("after", other.get("k"));
            }
        }
    }

    @Test
    void shouldNeverLetAnOpenerMeetAHalfMadeFile() throws InterruptedException
    {
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final java.util.concurrent.atomic.AtomicInteger opened = new java.util.concurrent.atomic.AtomicInteger();
        final Thread opener = new Thread(() ->
        {
            while (!stop.get() && failure.get() == null)
            {
                try (SharedDict<Long, Long> dict = SharedDict.open("appearing", Codecs.LONG, Codecs.LONG))
                {
                    opened.incrementAndGet();
                }
                catch (final io.ipckit.core.exceptions.ResourceNotFoundException ex)
                {
                    Thread.onSpinWait(); // not there yet, or unlinked already
                }
                catch (final Throwable ex)
                {
                    failure.set(ex); // before: "is empty (0 bytes)" or "no ipckit magic number" in 1 round of 6
                }
            }
        });
        opener.start();
        try
        {
            for (int round = 0; round < 300 && failure.get() == null; round++)
            {
                try (SharedDict<Long, Long> dict = SharedDict.create("appearing", Codecs.LONG, Codecs.LONG, small()))
                {
                    dict.unlink();
                }
            }
        }
        finally
        {
            stop.set(true);
            opener.join();
        }
        assertNull(failure.get(), () -> "an opener met the file half-made: " + failure.get());
        assertTrue(dir.list().isEmpty(), () -> "left: " + dir.list());
    }

    @Test
    void shouldRefuseInitialSegmentsThatLeaveNoneFree()
    {
        final SharedDictOptions options = new SharedDictOptions().segmentBytes(4096).maxBytes(8 * 4096)
            .initialSegments(8);
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> SharedDict.create("no-room", options));
        assertTrue(ex.getMessage().contains("free for growth and compaction"), ex.getMessage());
        // one segment short of the bound: removals' room is reclaimed, however often the dict fills and empties
        try (SharedDict<Long, byte[]> dict = SharedDict.create("one-free", Codecs.LONG, Codecs.BYTES,
            new SharedDictOptions().segmentBytes(4096).maxBytes(8 * 4096).initialSegments(4)))
        {
            final byte[] value = new byte[300];
            for (int round = 0; round < 20; round++)
            {
                long stored = 0;
                try
                {
                    for (long k = 0; ; k++, stored++)
                    {
                        dict.put(round * 1_000_000L + k, value);
                    }
                }
                catch (final io.ipckit.core.exceptions.SharedMemoryExhaustedException full)
                {
                    assertTrue(stored > 20, "round " + round + " stored only " + stored);
                }
                dict.clear();
                assertTrue(dict.isEmpty());
            }
        }
    }

    private static int readInt(final Path path, final long offset) throws IOException
    {
        return (int)read(path, offset, 4);
    }

    private static long readLong(final Path path, final long offset) throws IOException
    {
        return read(path, offset, 8);
    }

    private static long read(final Path path, final long offset, final int bytes) throws IOException
    {
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "r"))
        {
            file.seek(offset);
            final byte[] b = new byte[8];
            file.readFully(b, 0, bytes);
            return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
        }
    }

    private static void patchIntAt(final Path path, final long offset, final int value) throws IOException
    {
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw"))
        {
            file.seek(offset);
            file.writeInt(Integer.reverseBytes(value));
        }
    }

    private static void patchLongAt(final Path path, final long offset, final long value) throws IOException
    {
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw"))
        {
            file.seek(offset);
            file.writeLong(Long.reverseBytes(value));
        }
    }
}
