package io.ipckit.manager.internal;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The compact form of a snapshot's built-in containers: each comes back as the class the built-in type makes, with
 * the same elements, through the snapshot's object stream; a container holding anything else, or another class,
 * stays as it is.
 */
class CompactContainerTest
{
    /** As the manager makes it for its snapshots: a dict's object stream holds locks. */
    private static final WireCodec SNAPSHOT_CODEC = new WireCodec(List.of(), Integer.MAX_VALUE, Long.MAX_VALUE,
        "java.util.concurrent.locks.*;java.util.concurrent.atomic.*;");

    @Test
    void shouldRestoreADictOfCompactValuesAsTheDictItWas()
    {
        final ConcurrentHashMap<Object, Object> dict = new ConcurrentHashMap<>();
        for (int i = 0; i < 10_000; i++)
        {
            dict.put(i, (long)i * 1_000);
        }
        dict.put("name", "välue");
        dict.put(-1L, true);
        dict.put(2.5, new byte[] {1, 2, 3});
        dict.put("nested", new Object[] {1, "two", null, new Object[] {3L}});
        dict.put("ref", new ProxyRef("manager-1", 42, "dict", java.util.concurrent.ConcurrentMap.class.getName()));

        final Object restored = throughSnapshot(dict);

        assertInstanceOf(ConcurrentHashMap.class, restored);
        final Map<?, ?> map = (Map<?, ?>)restored;
        assertEquals(dict.size(), map.size());
        for (final Map.Entry<Object, Object> entry : dict.entrySet())
        {
            assertTrue(Arrays.deepEquals(new Object[] {entry.getValue()}, new Object[] {map.get(entry.getKey())}),
                "the value of " + entry.getKey());
        }
    }

    @Test
    void shouldRestoreAListInOrderWithItsNullsAndASet()
    {
        final List<Object> list = Collections.synchronizedList(new ArrayList<>());
        list.add("a");
        list.add(null);
        list.add(3);
        list.add("a");
        final Object restoredList = throughSnapshot(list);
        assertSame(list.getClass(), restoredList.getClass(), "the built-in list's class");
        assertEquals(list, restoredList);

        final Set<Object> set = ConcurrentHashMap.newKeySet();
        set.add(1);
        set.add("b");
        final Object restoredSet = throughSnapshot(set);
        assertSame(set.getClass(), restoredSet.getClass(), "the built-in set's class");
        assertEquals(set, restoredSet);

        final ConcurrentHashMap<Object, Object> empty = new ConcurrentHashMap<>();
        assertEquals(empty, throughSnapshot(empty));
    }

    @Test
    void shouldLeaveAContainerOfOtherValuesAndOtherClassesAsTheyAre()
    {
        final ConcurrentHashMap<Object, Object> dates = new ConcurrentHashMap<>(Map.of(1, new Date(0)));
        assertSame(dates, CompactContainer.of(dates), "a value the compact form does not write");
        final ConcurrentHashMap<Object, Object> longText = new ConcurrentHashMap<>(Map.of(1, "x".repeat(5_000)));
        assertSame(longText, CompactContainer.of(longText), "a string longer than the compact form writes");
        final List<Object> list = Collections.synchronizedList(new ArrayList<>(List.of(1, new Date(0))));
        assertSame(list, CompactContainer.of(list));
        final HashMap<Object, Object> plain = new HashMap<>(Map.of(1, 2));
        assertSame(plain, CompactContainer.of(plain), "not the built-in dict's class");
        final List<Object> arrayList = new ArrayList<>(List.of(1));
        assertSame(arrayList, CompactContainer.of(arrayList), "not the built-in list's class");
        assertEquals(null, CompactContainer.of(null));

        assertEquals(dates, throughSnapshot(dates), "through the object stream as before");
    }

    @Test
    void shouldRefuseCorruptElementsAndAnUnknownKind()
    {
        assertThrows(IllegalArgumentException.class, () -> new CompactContainer((byte)9, new byte[4]).restore());
        assertThrows(IllegalArgumentException.class,
            () -> new CompactContainer(CompactContainer.LIST, new byte[] {-1, -1, -1, -1}).restore());
        final byte[] unknownTag = {0, 0, 0, 1, 99};
        assertThrows(IllegalArgumentException.class,
            () -> new CompactContainer(CompactContainer.LIST, unknownTag).restore());
        final CompactContainer made = (CompactContainer)CompactContainer.of(
            new ConcurrentHashMap<>(Map.of("k", new byte[] {7})));
        assertArrayEquals(new byte[] {0, 0, 0, 1}, Arrays.copyOf(made.elements(), 4), "the count first");
    }

    private static Object throughSnapshot(final Object target)
    {
        final byte[] bytes = SNAPSHOT_CODEC.encode(CompactContainer.of(target), UnaryOperator.identity());
        final Object decoded = SNAPSHOT_CODEC.decode(bytes, 0, UnaryOperator.identity());
        return decoded instanceof CompactContainer compact ? compact.restore() : decoded;
    }
}
