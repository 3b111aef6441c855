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
 * The compact form of a snapshot's dicts, through the snapshot's object stream as the manager writes and reads it: a
 * dict of compact values comes back with the same entries, one reachable from two places comes back as one map, and
 * anything else goes through the object stream as it is.
 */
class CompactContainerTest
{
    /** As the manager makes it for its snapshots: a dict's object stream holds locks. */
    private static final WireCodec SNAPSHOT_CODEC = new WireCodec(List.of(), Integer.MAX_VALUE, Long.MAX_VALUE,
        "java.util.concurrent.locks.*;java.util.concurrent.atomic.*;");

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
        assertInstanceOf(CompactContainer.class, CompactContainer.replace(dict));

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
        assertSame(dates, CompactContainer.replace(dates), "a value the compact form does not write");
        final byte[] shared = {1, 2, 3};
        final ConcurrentHashMap<Object, Object> bytes = new ConcurrentHashMap<>(Map.of("buf", shared));
        assertSame(bytes, CompactContainer.replace(bytes), "an array another holder may change in place");
        final Object[] restoredPair = (Object[])throughSnapshot(new Object[] {bytes, shared});
        assertSame(restoredPair[1], ((Map<?, ?>)restoredPair[0]).get("buf"), "one array, as the object stream keeps");
        final ConcurrentHashMap<Object, Object> arrays = new ConcurrentHashMap<>(Map.of(1, new Object[] {1}));
        assertSame(arrays, CompactContainer.replace(arrays), "an object array neither");
        final ConcurrentHashMap<Object, Object> longText = new ConcurrentHashMap<>(Map.of(1, "x".repeat(5_000)));
        assertSame(longText, CompactContainer.replace(longText), "a string longer than the compact form writes");
        final HashMap<Object, Object> plain = new HashMap<>(Map.of(1, 2));
        assertSame(plain, CompactContainer.replace(plain), "not a ConcurrentHashMap");
        final List<Object> list = Collections.synchronizedList(new ArrayList<>(List.of(1)));
        assertSame(list, CompactContainer.replace(list), "lists keep their own class through the stream");
        final Set<Object> set = ConcurrentHashMap.newKeySet();
        assertSame(set, CompactContainer.replace(set), "so do sets, and key-set views of maps");
        assertEquals(null, CompactContainer.replace(null));

        // a lone surrogate: UTF-8 would write it as '?', merging two keys; the object stream keeps both
        final ConcurrentHashMap<Object, Object> surrogates = new ConcurrentHashMap<>(Map.of("\uD800", 1, "\uDC00", 2));
        assertSame(surrogates, CompactContainer.replace(surrogates));
        assertEquals(surrogates, throughSnapshot(surrogates));
        assertEquals(dates, throughSnapshot(dates));
        final Object restoredList = throughSnapshot(list);
        assertNotSame(list, restoredList);
        assertEquals(list, restoredList);
    }

    @Test
    void shouldRefuseCorruptEntriesAndAnUnknownKind()
    {
        final byte[] good = ((CompactContainer)CompactContainer.replace(new ConcurrentHashMap<>(Map.of("k", 7L))))
            .entries();
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
    }

    private static Object throughSnapshot(final Object target)
    {
        final byte[] bytes = SNAPSHOT_CODEC.encode(target, CompactContainer::replace);
        return SNAPSHOT_CODEC.decode(bytes, 0, CompactContainer::resolve);
    }

    /** A registered object's state holding the map a dict proxy reaches. */
    private record Holder(ConcurrentHashMap<Object, Object> map) implements Serializable
    {
        @Serial
        private static final long serialVersionUID = 1L;
    }
}
