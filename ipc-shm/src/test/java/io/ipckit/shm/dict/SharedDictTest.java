package io.ipckit.shm.dict;

import io.ipckit.core.codec.Codecs;
import io.ipckit.core.exceptions.CorruptResourceException;
import io.ipckit.core.exceptions.IncompatibleVersionException;
import io.ipckit.core.exceptions.ResourceClosedException;
import io.ipckit.core.exceptions.ResourceExistsException;
import io.ipckit.core.exceptions.ResourceNotFoundException;
import io.ipckit.core.exceptions.SharedMemoryExhaustedException;
import io.ipckit.core.exceptions.WrongResourceKindException;
import io.ipckit.core.file.ResourceHeaderDescriptor;
import io.ipckit.core.testing.TestDirectory;
import io.ipckit.shm.array.DType;
import io.ipckit.shm.value.SharedValue;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class SharedDictTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    private static SharedDictOptions small()
    {
        return new SharedDictOptions().segmentBytes(4096).maxBytes(64L << 20);
    }

    @Test
    void shouldBehaveLikeConcurrentHashMapUnderRandomOperations()
    {
        final Random random = new Random(42);
        final Map<Long, String> model = new ConcurrentHashMap<>();
        try (SharedDict<Long, String> dict = SharedDict.create("dict", Codecs.LONG, Codecs.STRING, small()))
        {
            for (int i = 0; i < 60_000; i++)
            {
                final long key = random.nextInt(3_000);
                final String value = "v" + random.nextInt(1_000) + "x".repeat(random.nextInt(40));
                final int op = random.nextInt(13);
                switch (op)
                {
                    case 0, 1 -> assertEquals(model.put(key, value), dict.put(key, value));
                    case 2 -> assertEquals(model.get(key), dict.get(key));
                    case 3 -> assertEquals(model.remove(key), dict.remove(key));
                    case 4 -> assertEquals(model.putIfAbsent(key, value), dict.putIfAbsent(key, value));
                    case 5 -> assertEquals(model.replace(key, value), dict.replace(key, value));
                    case 6 ->
                    {
                        final String expected = random.nextBoolean() ? model.get(key) : value;
                        if (expected != null)
                        {
                            assertEquals(model.replace(key, expected, value + "r"), dict.replace(key, expected, value + "r"));
                        }
                    }
                    case 7 ->
                    {
                        final String expected = random.nextBoolean() ? model.get(key) : value;
                        if (expected != null)
                        {
                            assertEquals(model.remove(key, expected), dict.remove(key, expected));
                        }
                    }
                    case 8 -> assertEquals(model.merge(key, value, (a, b) -> a.length() > 60 ? null : a + b.charAt(0)),
                        dict.merge(key, value, (a, b) -> a.length() > 60 ? null : a + b.charAt(0)));
                    case 9 -> assertEquals(model.compute(key, (k, v) -> v == null ? value : v.length() % 3 == 0 ? null : v + "c"),
                        dict.compute(key, (k, v) -> v == null ? value : v.length() % 3 == 0 ? null : v + "c"));
                    case 10 -> assertEquals(model.computeIfAbsent(key, (k) -> k % 5 == 0 ? null : value),
                        dict.computeIfAbsent(key, (k) -> k % 5 == 0 ? null : value));
                    case 11 -> assertEquals(model.computeIfPresent(key, (k, v) -> v.length() > 30 ? null : v + "p"),
                        dict.computeIfPresent(key, (k, v) -> v.length() > 30 ? null : v + "p"));
                    default ->
                    {
                        assertEquals(model.containsKey(key), dict.containsKey(key));
                        assertEquals(model.getOrDefault(key, "none"), dict.getOrDefault(key, "none"));
                    }
                }
                if (i % 10_000 == 0)
                {
                    assertEquals(model.size(), dict.size());
                }
            }
            assertEquals(model.size(), dict.size());
            assertEquals(model, dict);
            assertEquals(dict, model);
            assertEquals(model.hashCode(), dict.hashCode());
            final Set<Long> seen = new HashSet<>();
            for (final Map.Entry<Long, String> e : dict.entrySet())
            {
                assertTrue(seen.add(e.getKey()), "returned twice: " + e.getKey());
            }
            assertEquals(model.keySet(), seen);
            dict.unlink();
        }
    }

    @Test
    void shouldReadAndWriteInPlaceWithoutCodecs()
    {
        try (SharedDict<Long, byte[]> dict = SharedDict.create("raw", Codecs.LONG, Codecs.BYTES))
        {
            final UnsafeBuffer key = new UnsafeBuffer(new byte[8]);
            final UnsafeBuffer value = new UnsafeBuffer(new byte[64]);
            key.putLong(0, 7L);
            value.putLong(0, 123L);
            value.putLong(56, 456L);
            assertTrue(dict.put(key, 0, 8, value, 0, 64));
            assertFalse(dict.put(key, 0, 8, value, 0, 64));
            final ExpandableArrayBuffer dst = new ExpandableArrayBuffer(8);
            assertEquals(64, dict.get(key, 0, 8, dst, 0));
            assertEquals(456L, dst.getLong(56));
            final long[] seen = new long[1];
            assertTrue(dict.read(key, 0, 8, (buffer, offset, length) -> seen[0] = buffer.getLong(offset) + length));
            assertEquals(123L + 64, seen[0]);
            assertTrue(dict.put(key, 0, 8, 16, (buffer, offset, length) -> buffer.putLong(offset + 8, 99L)) == false);
            assertEquals(16, dict.get(7L).length);
            assertEquals(99L, new UnsafeBuffer(dict.get(7L)).getLong(8));
            assertTrue(dict.containsKey(key, 0, 8));
            assertTrue(dict.remove(key, 0, 8));
            assertFalse(dict.remove(key, 0, 8));
            assertEquals(-1, dict.get(key, 0, 8, dst, 0));
            assertFalse(dict.read(key, 0, 8, (buffer, offset, length) -> seen[0] = -1));
            assertThrows(IllegalStateException.class, () -> dict.put(key, 0, 8, 8, (buffer, offset, length) ->
            {
                throw new IllegalStateException("writer failed");
            }));
            assertFalse(dict.containsKey(key, 0, 8), "a failed writer publishes nothing");
            assertThrows(IllegalArgumentException.class, () -> dict.put(key, 0, 8, 1 << 20, (b, o, l) -> { }));
        }
    }

    @Test
    void shouldStoreAValueTheRemappingFunctionChangedInPlace()
    {
        try (SharedDict<Long, byte[]> dict = SharedDict.create("inplace", Codecs.LONG, Codecs.BYTES))
        {
            dict.put(1L, new byte[] {1, 2});
            // the function is given a decoded copy: changing it and returning it is a new value, as for a map's own
            assertArrayEquals(new byte[] {9, 2}, dict.compute(1L, (k, v) ->
            {
                v[0] = 9;
                return v;
            }));
            assertArrayEquals(new byte[] {9, 2}, dict.get(1L), "compute");
            dict.computeIfPresent(1L, (k, v) ->
            {
                v[1] = 8;
                return v;
            });
            assertArrayEquals(new byte[] {9, 8}, dict.get(1L), "computeIfPresent");
            dict.merge(1L, new byte[] {7}, (v, given) ->
            {
                v[0] = given[0];
                return v;
            });
            assertArrayEquals(new byte[] {7, 8}, dict.get(1L), "merge");
            assertNull(dict.compute(2L, (k, v) -> v), "an absent key the function leaves absent");
            assertFalse(dict.containsKey(2L));
        }
    }

    @Test
    void shouldShareEntriesBetweenHandlesAndKeepThemAfterReopen()
    {
        try (SharedDict<String, Integer> a = SharedDict.create("shared", Codecs.STRING, Codecs.INTEGER))
        {
            a.put("one", 1);
            try (SharedDict<String, Integer> b = SharedDict.open("shared", Codecs.STRING, Codecs.INTEGER))
            {
                assertEquals(1, b.get("one"));
                b.merge("one", 10, Integer::sum);
                assertEquals(11, a.get("one"));
                assertEquals("shared", b.name());
            }
            assertEquals(Map.of("one", 11), new HashMap<>(a));
        }
        assertThrows(ResourceExistsException.class, () -> SharedDict.create("shared"));
        assertThrows(ResourceNotFoundException.class, () -> SharedDict.open("missing"));
    }

    @Test
    void shouldIterateWithWritableViews()
    {
        try (SharedDict<Integer, String> dict = SharedDict.create("views", Codecs.INTEGER, Codecs.STRING, small()))
        {
            for (int i = 0; i < 2_000; i++)
            {
                dict.put(i, "v" + i);
            }
            assertEquals(2_000, dict.keySet().size());
            assertTrue(dict.keySet().contains(5));
            assertTrue(dict.values().contains("v5"));
            assertTrue(dict.containsValue("v1999"));
            assertFalse(dict.containsValue("nope"));
            assertTrue(dict.entrySet().contains(Map.entry(3, "v3")));
            assertFalse(dict.entrySet().contains(Map.entry(3, "v4")));
            assertTrue(dict.keySet().remove(5));
            assertTrue(dict.entrySet().remove(Map.entry(6, "v6")));
            assertFalse(dict.entrySet().remove(Map.entry(7, "v8")));
            final Iterator<Map.Entry<Integer, String>> it = dict.entrySet().iterator();
            int removed = 0;
            while (it.hasNext())
            {
                final Map.Entry<Integer, String> e = it.next();
                if (e.getKey() % 2 == 0)
                {
                    it.remove();
                    removed++;
                }
                else
                {
                    e.setValue("odd");
                }
            }
            assertEquals(999, removed);
            assertEquals(999, dict.size());
            final List<String> values = new ArrayList<>(dict.values());
            assertTrue(values.stream().allMatch("odd"::equals));
            final int[] count = new int[1];
            dict.forEach((k, v) -> count[0]++);
            assertEquals(999, count[0]);
            dict.replaceAll((k, v) -> v + k);
            assertEquals("odd7", dict.get(7));
            dict.clear();
            assertTrue(dict.isEmpty());
            assertFalse(dict.entrySet().iterator().hasNext());
            dict.put(1, "back");
            assertEquals(1, dict.size());
        }
    }

    @Test
    void shouldReuseSpaceFreedByRemovals()
    {
        final SharedDictOptions options = new SharedDictOptions().segmentBytes(4096).maxBytes(64 * 4096);
        try (SharedDict<Long, byte[]> dict = SharedDict.create("reuse", Codecs.LONG, Codecs.BYTES, options))
        {
            final byte[] value = new byte[100];
            for (int round = 0; round < 200; round++)
            {
                for (long k = 0; k < 300; k++)
                {
                    dict.put(round * 1_000L + k, value);
                }
                for (long k = 0; k < 300; k++)
                {
                    assertEquals(100, dict.remove(round * 1_000L + k).length);
                }
            }
            assertTrue(dict.isEmpty());
        }
    }

    @Test
    void shouldRefuseAPutWhenFullAndKeepEveryEntry()
    {
        final SharedDictOptions options = new SharedDictOptions().segmentBytes(4096).maxBytes(8 * 4096);
        try (SharedDict<Long, byte[]> dict = SharedDict.create("full", Codecs.LONG, Codecs.BYTES, options))
        {
            final byte[] value = new byte[200];
            long stored = 0;
            final SharedMemoryExhaustedException ex = assertThrows(SharedMemoryExhaustedException.class, () ->
            {
                for (long k = 0; ; k++)
                {
                    dict.put(k, value);
                }
            });
            assertTrue(ex.getMessage().contains("is full") && ex.getMessage().contains("maxBytes"), ex.getMessage());
            for (long k = 0; dict.containsKey(k); k++)
            {
                stored++;
            }
            assertEquals(stored, dict.size());
            assertTrue(stored > 50, "stored " + stored);
            assertEquals(200, dict.get(0L).length);
            dict.remove(0L);
            dict.put(-1L, value);
        }
    }

    @Test
    void shouldRefuseNullsRecursionAndUseAfterClose()
    {
        final SharedDict<String, String> dict = SharedDict.create("rules", Codecs.STRING, Codecs.STRING);
        assertThrows(NullPointerException.class, () -> dict.put(null, "v"));
        assertThrows(NullPointerException.class, () -> dict.put("k", null));
        assertThrows(NullPointerException.class, () -> dict.get(null));
        assertFalse(dict.remove("k", null));
        final IllegalStateException recursive = assertThrows(IllegalStateException.class,
            () -> dict.compute("k", (k, v) -> dict.put(k, "inner")));
        assertTrue(recursive.getMessage().contains("recursive update"), recursive.getMessage());
        assertNull(dict.get("k"));
        assertEquals("x", dict.compute("k", (k, v) -> dict.get("other") == null ? "x" : "y"));
        assertThrows(ArithmeticException.class, () -> dict.compute("k", (k, v) ->
        {
            throw new ArithmeticException("function failed");
        }));
        assertEquals("x", dict.get("k"));
        dict.close();
        dict.close();
        assertThrows(ResourceClosedException.class, () -> dict.get("k"));
    }

    /**
     * A call that throws leaves the handle's call guard as it found it: a read refused for its null handler had
     * entered the guard and never left it, so the close that followed never unmapped the file.
     */
    @Test
    void shouldUnmapAtCloseAfterCallsThatThrew() throws IOException
    {
        final SharedDict<String, String> dict = SharedDict.create("thrown", Codecs.STRING, Codecs.STRING);
        final UnsafeBuffer key = new UnsafeBuffer(new byte[8]);
        assertThrows(NullPointerException.class, () -> dict.read(key, 0, 8, null));
        assertThrows(NullPointerException.class, () -> dict.put(null, "v"));
        assertThrows(ArithmeticException.class, () -> dict.compute("k", (k, v) ->
        {
            throw new ArithmeticException("function failed");
        }));
        final String mapped = dir.path().resolve("thrown").toString();
        assertTrue(Files.readString(Path.of("/proc/self/maps")).contains(mapped), "mapped while open");
        dict.close();
        assertFalse(Files.readString(Path.of("/proc/self/maps")).contains(mapped), "unmapped by the close");
        dict.unlink();
    }

    /**
     * A default given by a system property is checked as its setter checks it: a create with it is refused, naming
     * the property, while an open (which does not use it) and a create that sets the option go on. Before,
     * -Dipckit.dict.segment.bytes=0 was taken, and the create failed with an ArithmeticException (a division by zero);
     * a value that is not a number was ignored.
     */
    @Test
    void shouldRefuseADefaultOutOfRangeFromASystemProperty()
    {
        SharedDict.create("before-property", Codecs.LONG, Codecs.LONG).close();
        for (final String value : new String[]{"0", "3000", "4k"})
        {
            final String why = value.equals("4k") ? "=4k: not a whole number" :
                "segmentBytes=" + value + " must be a power of two";
            System.setProperty(SharedDictOptions.SEGMENT_BYTES_PROP_NAME, value);
            try
            {
                final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                    () -> SharedDict.create("bad-default-" + value, Codecs.LONG, Codecs.LONG, new SharedDictOptions()));
                assertTrue(ex.getMessage().contains("-D" + SharedDictOptions.SEGMENT_BYTES_PROP_NAME) &&
                    ex.getMessage().contains(why), ex.getMessage());
                try (SharedDict<Long, Long> opened = SharedDict.open("before-property", Codecs.LONG, Codecs.LONG);
                    SharedDict<Long, Long> set = SharedDict.create("set-" + value, Codecs.LONG, Codecs.LONG,
                        new SharedDictOptions().segmentBytes(4096)))
                {
                    assertEquals(0, opened.size());
                    assertEquals(0, set.size());
                }
            }
            finally
            {
                System.clearProperty(SharedDictOptions.SEGMENT_BYTES_PROP_NAME);
            }
        }
        // two refused defaults: setting one option leaves the other refused
        System.setProperty(SharedDictOptions.SEGMENT_BYTES_PROP_NAME, "0");
        System.setProperty(SharedDictOptions.MAX_BYTES_PROP_NAME, "1");
        try
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> SharedDict.create(
                "two-bad", Codecs.LONG, Codecs.LONG, new SharedDictOptions().segmentBytes(4096)));
            assertTrue(ex.getMessage().contains("-D" + SharedDictOptions.MAX_BYTES_PROP_NAME), ex.getMessage());
        }
        finally
        {
            System.clearProperty(SharedDictOptions.SEGMENT_BYTES_PROP_NAME);
            System.clearProperty(SharedDictOptions.MAX_BYTES_PROP_NAME);
        }
    }

    @Test
    void shouldRefuseCreationOptionsAtOpen()
    {
        try (SharedDict<String, String> dict = SharedDict.create("opts"))
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> SharedDict.open("opts", new SharedDictOptions().maxBytes(1L << 20)));
            assertTrue(ex.getMessage().contains("maxBytes"), ex.getMessage());
            assertThrows(IllegalArgumentException.class, () -> new SharedDictOptions().segmentBytes(5000));
            assertThrows(IllegalArgumentException.class, () -> new SharedDictOptions().initialSegments(3));
            assertThrows(IllegalArgumentException.class, () -> new SharedDictOptions().maxBytes(1L << 40));
            assertEquals(dict.name(), "opts");
        }
    }

    @Test
    void shouldStartWithManySegmentsWhenAsked()
    {
        final SharedDictOptions options = new SharedDictOptions().initialSegments(16).segmentBytes(8192);
        try (SharedDict<Integer, Integer> dict = SharedDict.create("wide", Codecs.INTEGER, Codecs.INTEGER, options))
        {
            for (int i = 0; i < 10_000; i++)
            {
                dict.put(i, -i);
            }
            for (int i = 0; i < 10_000; i++)
            {
                assertEquals(-i, dict.get(i));
            }
            assertEquals(10_000, dict.size());
        }
    }

    @Test
    void shouldRefuseWrongKindTruncatedCorruptAndNewerFiles() throws IOException
    {
        try (SharedValue value = SharedValue.create("value", DType.INT64))
        {
            final WrongResourceKindException ex = assertThrows(WrongResourceKindException.class,
                () -> SharedDict.open("value"));
            assertTrue(ex.getMessage().contains("SharedValue"), ex.getMessage());
        }
        SharedDict.create("newer", small()).close();
        patchInt("newer", ResourceHeaderDescriptor.LAYOUT_VERSION_OFFSET, 2);
        assertThrows(IncompatibleVersionException.class, () -> SharedDict.open("newer"));

        SharedDict.create("meta", small()).close();
        patchInt("meta", SharedDictDescriptor.SLOT_COUNT_OFFSET, 3);
        final CorruptResourceException meta = assertThrows(CorruptResourceException.class, () -> SharedDict.open("meta"));
        assertTrue(meta.getMessage().contains("corrupt metadata"), meta.getMessage());

        // a header length the common checks accept, too short for the dict's metadata: before, an
        // IndexOutOfBoundsException
        SharedDict.create("short-header", small()).close();
        patchInt("short-header", ResourceHeaderDescriptor.HEADER_LENGTH_OFFSET, 64);
        final CorruptResourceException header =
            assertThrows(CorruptResourceException.class, () -> SharedDict.open("short-header"));
        assertTrue(header.getMessage().contains("too short for its"), header.getMessage());

        SharedDict.create("cut", small()).close();
        try (RandomAccessFile file = new RandomAccessFile(dir.path().resolve("cut").toFile(), "rw"))
        {
            file.setLength(file.length() - 4096);
        }
        assertThrows(CorruptResourceException.class, () -> SharedDict.open("cut"));

        Files.write(dir.path().resolve("junk"), new byte[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
            17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43,
            44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65});
        assertThrows(CorruptResourceException.class, () -> SharedDict.open("junk"));

        try (SharedDict<Long, Long> dict = SharedDict.create("entries", Codecs.LONG, Codecs.LONG, small()))
        {
            dict.put(1L, 1L);
            final Path path = dir.path().resolve("entries");
            final int segmentsOffset = readInt(path, SharedDictDescriptor.SEGMENTS_OFFSET_OFFSET);
            final int slots = 4096 / 64;
            for (int slot = 0; slot < slots; slot++)
            {
                final int at = segmentsOffset + SharedDictDescriptor.SEG_SLOTS_OFFSET + 8 * slot;
                if (readInt(path, at) != 0)
                {
                    patchIntAt(path, at, 3);
                }
            }
            final CorruptResourceException ex = assertThrows(CorruptResourceException.class, () -> dict.get(1L));
            assertTrue(ex.getMessage().contains("outside its heap"), ex.getMessage());
        }
    }

    @Test
    @Timeout(60)
    void shouldRefuseASegmentLeftMidChangeWithNoWriter() throws IOException
    {
        try (SharedDict<Long, Long> dict = SharedDict.create("frozen", Codecs.LONG, Codecs.LONG, small()))
        {
            dict.put(1L, 1L);
            final Path path = dir.path().resolve("frozen");
            final int segmentsOffset = readInt(path, SharedDictDescriptor.SEGMENTS_OFFSET_OFFSET);
            // an odd sequence says a writer is changing the segment, but no writer holds its lock
            patchIntAt(path, segmentsOffset + SharedDictDescriptor.SEG_SEQUENCE_OFFSET, 3);
            // before: every read waited for good for that writer to finish
            final CorruptResourceException get = assertThrows(CorruptResourceException.class, () -> dict.get(1L));
            assertTrue(get.getMessage().contains("mid-change"), get.getMessage());
            final CorruptResourceException size = assertThrows(CorruptResourceException.class, dict::size);
            assertTrue(size.getMessage().contains("mid-change"), size.getMessage());
        }
    }

    /**
     * A freed block whose length word fits the next entry but whose place runs past the segment's end: before, a put
     * reused it and wrote the entry over the next segment's lock and sequence.
     */
    @Test
    void shouldRefuseAFreeBlockThatRunsPastItsSegment() throws IOException
    {
        try (SharedDict<Long, Long> dict = SharedDict.create("blocks-past", Codecs.LONG, Codecs.LONG, small()))
        {
            dict.put(1L, 1L);
            dict.put(1L, 2L); // the first entry's block goes to the segment's free blocks
            final Path path = dir.path().resolve("blocks-past");
            final int segment = readInt(path, SharedDictDescriptor.SEGMENTS_OFFSET_OFFSET);
            final int entryBytes = 24; // a long key and a long value with the entry header
            patchIntAt(path, segment + SharedDictDescriptor.SEG_FREE_BLOCK_OFFSET, 4096 - 8);
            patchIntAt(path, segment + 4096 - 8, entryBytes);
            final CorruptResourceException ex = assertThrows(CorruptResourceException.class, () -> dict.put(2L, 2L));
            assertTrue(ex.getMessage().contains("past its end"), ex.getMessage());
            assertEquals(0, readInt(path, segment + 4096), "the next segment's lock is untouched");
        }
    }

    /**
     * An entry whose value length runs past its segment, met by the split that copies it: before, the split copied
     * that many bytes over the segments after the new one. Now the put fails, the new segments go back, and the old
     * one still serves.
     */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldRefuseToSplitASegmentWithACorruptEntry() throws IOException
    {
        try (SharedDict<Long, Long> dict = SharedDict.create("split-corrupt", Codecs.LONG, Codecs.LONG, small()))
        {
            dict.put(0L, 0L);
            final Path path = dir.path().resolve("split-corrupt");
            final int segment = readInt(path, SharedDictDescriptor.SEGMENTS_OFFSET_OFFSET);
            int entry = -1;
            for (int slot = 0; slot < 4096 / 64 && entry < 0; slot++)
            {
                final int at = segment + SharedDictDescriptor.SEG_SLOTS_OFFSET + 8 * slot;
                if (readInt(path, at) != 0)
                {
                    entry = readInt(path, at); // the low half of the slot: the entry's offset in the segment
                }
            }
            patchIntAt(path, segment + entry + SharedDictDescriptor.ENTRY_VALUE_LENGTH_OFFSET, 4000);
            final CorruptResourceException ex = assertThrows(CorruptResourceException.class, () ->
            {
                for (long key = 1; key < 10_000; key++)
                {
                    dict.put(key, key);
                }
            });
            assertTrue(ex.getMessage().contains("outside its heap"), ex.getMessage());
            assertEquals(1L, dict.get(1L), "the old segment still serves");
            assertEquals(0, readInt(path, segment + 4096), "the segment after the old one is untouched");
        }
    }

    /**
     * A directory entry that names a segment not serving its hashes, with no rebuild under way: before, every get,
     * put and size retried for good.
     */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldRefuseADirectoryEntryNamingASegmentThatDoesNotServeIt() throws IOException
    {
        try (SharedDict<Long, Long> dict = SharedDict.create("directory", Codecs.LONG, Codecs.LONG, small()))
        {
            dict.put(1L, 1L);
            final Path path = dir.path().resolve("directory");
            patchIntAt(path, readInt(path, SharedDictDescriptor.DIRECTORY_OFFSET_OFFSET), 1); // a segment never used
            for (final Executable call : new Executable[]{() -> dict.get(1L), () -> dict.put(2L, 2L), dict::size})
            {
                final CorruptResourceException ex = assertThrows(CorruptResourceException.class, call);
                assertTrue(ex.getMessage().contains("does not serve it"), ex.getMessage());
            }
        }
    }

    @Test
    void shouldKeepCountsExactUnderThreadsOfOneProcess() throws InterruptedException
    {
        try (SharedDict<Integer, Long> dict = SharedDict.create("threads", Codecs.INTEGER, Codecs.LONG, small()))
        {
            final int threads = 4;
            final int perThread = 20_000;
            final List<Thread> started = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final int seed = t;
                final Thread thread = new Thread(() ->
                {
                    final Random random = new Random(seed);
                    for (int i = 0; i < perThread; i++)
                    {
                        final int key = random.nextInt(500);
                        if (random.nextBoolean())
                        {
                            dict.merge(key, 1L, Long::sum);
                        }
                        else
                        {
                            dict.compute(key, (k, v) -> v == null ? 1L : v + 1);
                        }
                        dict.get(random.nextInt(500));
                    }
                });
                thread.start();
                started.add(thread);
            }
            for (final Thread thread : started)
            {
                thread.join();
            }
            long total = 0;
            for (final long v : dict.values())
            {
                total += v;
            }
            assertEquals((long)threads * perThread, total);
        }
    }

    @Test
    void shouldReuseTheBlockOfAReplacedValueOfTheSameSize()
    {
        try (SharedDict<Long, byte[]> dict = SharedDict.create("blocks", Codecs.LONG, Codecs.BYTES, small()))
        {
            final UnsafeBuffer key = new UnsafeBuffer(new byte[8]);
            final UnsafeBuffer value = new UnsafeBuffer(new byte[64]);
            for (long i = 0; i < 100_000; i++)
            {
                key.putLong(0, i % 10);
                value.putLong(0, i);
                dict.put(key, 0, 8, value, 0, 64);
            }
            for (long k = 0; k < 10; k++)
            {
                assertEquals(99_990 + k, new UnsafeBuffer(dict.get(k)).getLong(0));
            }
            assertEquals(10, dict.size());
        }
    }

    @Test
    void shouldAllocateNothingOnTheZeroCopyHotPath()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        try (SharedDict<Long, byte[]> dict = SharedDict.create("hot", Codecs.LONG, Codecs.BYTES))
        {
            final UnsafeBuffer key = new UnsafeBuffer(new byte[8]);
            final UnsafeBuffer value = new UnsafeBuffer(new byte[64]);
            final UnsafeBuffer read = new UnsafeBuffer(new byte[64]);
            final long[] sum = new long[1];
            final ValueHandler handler = (buffer, offset, length) -> sum[0] += buffer.getLong(offset);
            final ValueWriter writer = (buffer, offset, length) -> buffer.putLong(offset, 1L);
            long allocated = -1;
            for (int round = 0; round < 3; round++)
            {
                final long before = threads.getCurrentThreadAllocatedBytes();
                for (long i = 0; i < 200_000; i++)
                {
                    key.putLong(0, i & 1023);
                    value.putLong(0, i);
                    dict.put(key, 0, 8, value, 0, 64);
                    dict.get(key, 0, 8, read, 0);
                    dict.read(key, 0, 8, handler);
                    dict.put(key, 0, 8, 64, writer);
                    dict.containsKey(key, 0, 8);
                }
                allocated = threads.getCurrentThreadAllocatedBytes() - before;
            }
            assertEquals(0, allocated, "bytes allocated by a million zero-copy operations");
            assertTrue(sum[0] > 0);
        }
    }

    @Test
    void shouldCountNoTakeoverWithoutDeaths()
    {
        try (SharedDict<Long, Long> dict = SharedDict.create("calm", Codecs.LONG, Codecs.LONG, small()))
        {
            for (long i = 0; i < 5_000; i++)
            {
                dict.merge(i % 100, 1L, Long::sum);
            }
            assertEquals(0, dict.takeovers());
            assertEquals(50L, dict.get(42L));
        }
    }

    @Test
    void shouldStoreVariableSizedKeysAndValues()
    {
        try (SharedDict<String, byte[]> dict = SharedDict.create("sizes", Codecs.STRING, Codecs.BYTES, small()))
        {
            final Random random = new Random(7);
            final Map<String, byte[]> model = new HashMap<>();
            for (int i = 0; i < 3_000; i++)
            {
                final String key = "k".repeat(random.nextInt(30)) + i % 700;
                final byte[] value = new byte[random.nextInt(1_000)];
                random.nextBytes(value);
                model.put(key, value);
                dict.put(key, value);
            }
            assertEquals(model.size(), dict.size());
            model.forEach((k, v) -> assertArrayEquals(v, dict.get(k)));
            assertEquals("", dict.computeIfAbsent("", (k) -> "".getBytes()).length == 0 ? "" : "x");
        }
    }

    private void patchInt(final String name, final int offset, final int value) throws IOException
    {
        patchIntAt(dir.path().resolve(name), offset, value);
    }

    private static void patchIntAt(final Path path, final long offset, final int value) throws IOException
    {
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw"))
        {
            file.seek(offset);
            file.writeInt(Integer.reverseBytes(value));
        }
    }

    private static int readInt(final Path path, final long offset) throws IOException
    {
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "r"))
        {
            file.seek(offset);
            return Integer.reverseBytes(file.readInt());
        }
    }
}
