package io.ipckit.manager.internal;

import org.junit.jupiter.api.Test;

import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A snapshot's encoding in two steps, as the manager writes and reads it: a dict of compact values comes back with the
 * entries it had when they were copied (under the lock), whatever changed after; one reachable from two places comes
 * back as one map; anything else goes through the object stream as it is; and a snapshot written with the earlier
 * compact form ({@link CompactContainer}) is still read.
 */
class SnapshotEncodingTest
{
    /** As the manager makes it for its snapshots: a dict's object stream holds locks. */
    private static final WireCodec SNAPSHOT_CODEC = new WireCodec(List.of(), Integer.MAX_VALUE, Long.MAX_VALUE,
        "java.util.concurrent.locks.*;java.util.concurrent.atomic.*;" + WireCodec.SNAPSHOT_CLASSES +
        SnapshotEncodingTest.class.getName() + "$*;");

    @Test
    void shouldBringADictOfCompactValuesBackWithTheSameEntries()
    {
        final ConcurrentHashMap<Object, Object> dict = new ConcurrentHashMap<>();
        for (int i = 0; i < 10_000; i++)
        {
            dict.put(i, (long)i * 1_000);
        }
        dict.put("name", "välue \uD83D\uDE00");
        dict.put(-1L, true);
        dict.put(2.5, "two and a half");
        dict.put("ref", new ProxyRef("manager-1", 42, "dict", java.util.concurrent.ConcurrentMap.class.getName()));
        assertInstanceOf(SnapshotEncoding.Slot.class, new SnapshotEncoding().replace(dict));

        final Object restored = throughSnapshot(dict);

        assertInstanceOf(ConcurrentHashMap.class, restored);
        final Map<?, ?> map = (Map<?, ?>)restored;
        assertEquals(dict.size(), map.size());
        for (final Map.Entry<Object, Object> entry : dict.entrySet())
        {
            assertTrue(Arrays.deepEquals(new Object[] {entry.getValue()}, new Object[] {map.get(entry.getKey())}),
                "the value of " + entry.getKey());
        }
        assertEquals(new ConcurrentHashMap<>(), throughSnapshot(new ConcurrentHashMap<>()));
    }

    /**
     * A registered object may hold the very map a dict proxy reaches (a method declared to return a dict registers
     * the map it returns): both must still be one map after a restart, as the object stream keeps them.
     */
    @Test
    void shouldBringADictReachableFromTwoPlacesBackAsOneMap()
    {
        final ConcurrentHashMap<Object, Object> dict = new ConcurrentHashMap<>(Map.of("k", 1));
        final Holder holder = new Holder(dict);
        final Object[] state = {dict, holder, new ArrayList<>(List.of(dict))};

        final Object[] restored = (Object[])throughSnapshot(state);

        assertInstanceOf(ConcurrentHashMap.class, restored[0]);
        assertSame(restored[0], ((Holder)restored[1]).map, "the holder's map is the dict");
        assertSame(restored[0], ((List<?>)restored[2]).getFirst());
        assertEquals(Map.of("k", 1), restored[0]);
    }

    @Test
    void shouldLeaveAnythingElseToTheObjectStream()
    {
        final ConcurrentHashMap<Object, Object> dates = new ConcurrentHashMap<>(Map.of(1, new Date(0)));
        assertSame(dates, replace(dates), "a value the compact form does not write");
        final byte[] shared = {1, 2, 3};
        final ConcurrentHashMap<Object, Object> bytes = new ConcurrentHashMap<>(Map.of("buf", shared));
        assertSame(bytes, replace(bytes), "an array another holder may change in place");
        final Object[] restoredPair = (Object[])throughSnapshot(new Object[] {bytes, shared});
        assertSame(restoredPair[1], ((Map<?, ?>)restoredPair[0]).get("buf"), "one array, as the object stream keeps");
        final ConcurrentHashMap<Object, Object> arrays = new ConcurrentHashMap<>(Map.of(1, new Object[] {1}));
        assertSame(arrays, replace(arrays), "an object array neither");
        final ConcurrentHashMap<Object, Object> longText = new ConcurrentHashMap<>(Map.of(1, "x".repeat(5_000)));
        assertSame(longText, replace(longText), "a string longer than the compact form writes");
        final HashMap<Object, Object> plain = new HashMap<>(Map.of(1, 2));
        assertSame(plain, replace(plain), "not a ConcurrentHashMap");
        final List<Object> list = Collections.synchronizedList(new ArrayList<>(List.of(1)));
        assertSame(list, replace(list), "lists keep their own class through the stream");
        final Set<Object> set = ConcurrentHashMap.newKeySet();
        assertSame(set, replace(set), "so do sets, and key-set views of maps");
        assertEquals(null, replace(null));

        // a lone surrogate: UTF-8 would write it as '?', merging two keys; the object stream keeps both
        final ConcurrentHashMap<Object, Object> surrogates = new ConcurrentHashMap<>(Map.of("\uD800", 1, "\uDC00", 2));
        assertSame(surrogates, replace(surrogates));
        assertEquals(surrogates, throughSnapshot(surrogates));
        assertEquals(dates, throughSnapshot(dates));
        final Object restoredList = throughSnapshot(list);
        assertNotSame(list, restoredList);
        assertEquals(list, restoredList);
    }

    /**
     * The dict's entries are copied under the lock and encoded after it: a change made in between, as a call does once
     * the lock is released, is not in the snapshot, which holds the state of the entry it covers.
     */
    @Test
    void shouldEncodeADictAsItWasWhenItsEntriesWereCopied()
    {
        final ConcurrentHashMap<Object, Object> dict = new ConcurrentHashMap<>(Map.of("a", 1, "b", 2));
        final SnapshotEncoding encoding = new SnapshotEncoding();
        final byte[] stream = SNAPSHOT_CODEC.encode(new Object[] {dict}, encoding::replace);
        dict.put("c", 3);
        dict.remove("a");
        dict.put("b", 20);
        final Object[] restored = (Object[])SnapshotEncoding.decode(SNAPSHOT_CODEC, encoding.assemble(stream));
        assertEquals(Map.of("a", 1, "b", 2), restored[0]);
    }

    /** Snapshots written before the two-step encoding hold their dicts as {@link CompactContainer}s in the stream. */
    @Test
    void shouldReadASnapshotWrittenWithTheEarlierCompactForm()
    {
        final ConcurrentHashMap<Object, Object> dict = new ConcurrentHashMap<>(Map.of("k", 7L, 3, "three"));
        final Holder holder = new Holder(dict);
        final byte[] bytes = SNAPSHOT_CODEC.encode(new Object[] {dict, holder},
            (obj) -> obj == dict ? new CompactContainer(CompactContainer.DICT, entries(dict)) : obj);
        final Object[] restored = (Object[])SnapshotEncoding.decode(SNAPSHOT_CODEC, bytes);
        assertEquals(dict, restored[0]);
        assertSame(restored[0], ((Holder)restored[1]).map);
        assertEquals(dict, SnapshotEncoding.decode(SNAPSHOT_CODEC, SNAPSHOT_CODEC.encode(dict, (obj) -> obj)),
            "a snapshot of the object stream alone");
    }

    @Test
    void shouldRefuseCorruptDictsAndAnUnknownKind()
    {
        final byte[] good = entries(new ConcurrentHashMap<>(Map.of("k", 7L)));
        assertEquals(Map.of("k", 7L), new CompactContainer(CompactContainer.DICT, good).restore());
        assertThrows(IllegalArgumentException.class, () -> new CompactContainer((byte)9, good).restore());
        assertThrows(IllegalArgumentException.class,
            () -> new CompactContainer(CompactContainer.DICT, Arrays.copyOf(good, good.length - 1)).restore(),
            "truncated");
        assertThrows(IllegalArgumentException.class,
            () -> new CompactContainer(CompactContainer.DICT, Arrays.copyOf(good, good.length + 1)).restore(),
            "trailing bytes");
        assertThrows(IllegalArgumentException.class,
            () -> new CompactContainer(CompactContainer.DICT, new byte[] {0x7f, -1, -1, -1, 1, 2}).restore(),
            "a count larger than the bytes hold");
        assertThrows(IllegalArgumentException.class,
            () -> new CompactContainer(CompactContainer.DICT, new byte[] {0, 0, 0, 1, 0, 0}).restore(), "null key");
        final byte[] unknownTag = {0, 0, 0, 1, 99, 99};
        assertThrows(IllegalArgumentException.class,
            () -> new CompactContainer(CompactContainer.DICT, unknownTag).restore());

        final SnapshotEncoding encoding = new SnapshotEncoding();
        final byte[] snapshot = encoding.assemble(SNAPSHOT_CODEC.encode(
            new ConcurrentHashMap<>(Map.of("k", 7L)), encoding::replace));
        assertEquals(Map.of("k", 7L), SnapshotEncoding.decode(SNAPSHOT_CODEC, snapshot));
        // magic, one dict, its length (4 + the entries' bytes), its entries, then the stream
        final int lengthAt = 8;
        final int streamAt = lengthAt + 4 + good.length;
        final java.util.function.Consumer<byte[]> refused = (bytes) ->
            assertThrows(RuntimeException.class, () -> SnapshotEncoding.decode(SNAPSHOT_CODEC, bytes));
        refused.accept(Arrays.copyOf(snapshot, 6));
        refused.accept(Arrays.copyOf(snapshot, streamAt - 1));
        refused.accept(Arrays.copyOf(snapshot, streamAt + 3));
        refused.accept(with(snapshot, 4, 0x7fffffff)); // dicts
        refused.accept(with(snapshot, 4, -1));
        refused.accept(with(snapshot, 4, 0)); // no dicts: the stream would start at the dict's bytes
        refused.accept(with(snapshot, lengthAt, good.length + 1));
        refused.accept(with(snapshot, lengthAt, -4));
        refused.accept(with(snapshot, lengthAt + 4, 2)); // entries
    }

    private static byte[] with(final byte[] bytes, final int at, final int value)
    {
        final byte[] copy = bytes.clone();
        java.nio.ByteBuffer.wrap(copy).putInt(at, value);
        return copy;
    }

    /**
     * @return a dict's entries in {@link CompactContainer}'s layout.
     */
    private static byte[] entries(final Map<Object, Object> dict)
    {
        final Wire.Out out = new Wire.Out((byte)0);
        out.putInt(dict.size());
        dict.forEach((key, value) ->
        {
            CompactValues.write(out, key);
            CompactValues.write(out, value);
        });
        return Arrays.copyOfRange(out.array(), 1, out.size());
    }

    private static Object replace(final Object obj)
    {
        return new SnapshotEncoding().replace(obj);
    }

    private static Object throughSnapshot(final Object target)
    {
        final SnapshotEncoding encoding = new SnapshotEncoding();
        final byte[] stream = SNAPSHOT_CODEC.encode(target, encoding::replace);
        return SnapshotEncoding.decode(SNAPSHOT_CODEC, encoding.assemble(stream));
    }

    /** A registered object's state holding the map a dict proxy reaches. */
    private record Holder(ConcurrentHashMap<Object, Object> map) implements Serializable
    {
        @Serial
        private static final long serialVersionUID = 1L;
    }
}
