package io.ipckit.manager;

import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.concurrent.ConcurrentMap;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Names in a manager: only its own proxies can be bound, and a null name is refused with a message saying so.
 */
class ManagerBindTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldRefuseToBindAProxyOfAnotherManager()
    {
        try (Manager a = Manager.start("bind-a");
             Manager b = Manager.start("bind-b"))
        {
            final List<Integer> ofA = a.list();
            final ConcurrentMap<String, Integer> ofB = b.dict();
            ofB.put("k", 1);
            final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> a.bind("x", ofB));
            assertTrue(refused.getMessage().startsWith("cannot bind \"x\" in manager bind-a (id "),
                refused.getMessage());
            assertTrue(refused.getMessage().contains("to a proxy of another manager (id "), refused.getMessage());
            final NullPointerException nullBind = assertThrows(NullPointerException.class, () -> a.bind(null, ofA));
            assertEquals("bind in manager bind-a: the name is null", nullBind.getMessage());
            final NullPointerException nullLookup = assertThrows(NullPointerException.class,
                () -> a.lookup(null, List.class));
            assertEquals("lookup in manager bind-a: the name is null", nullLookup.getMessage());
            ofA.add(7);
            a.bind("x", ofA);
            assertEquals(List.of(7), List.copyOf(a.lookup("x", List.class)), "the name stays free for its own");
            a.shutdown();
            b.shutdown();
        }
    }
}
