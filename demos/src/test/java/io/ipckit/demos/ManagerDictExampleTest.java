package io.ipckit.demos;

import io.ipckit.core.testing.TestDirectory;
import io.ipckit.demos.examples.ManagerDictExample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Runs the Java twin of the notes' {@code manager.dict()} example: three JVMs (the manager and two workers) besides
 * this one.
 */
class ManagerDictExampleTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldCollectEveryWorkersResultInTheManagedDict() throws Exception
    {
        final Map<String, Integer> dict = new LinkedHashMap<>();
        dict.put("func1", 1);
        dict.put("func2", 2);
        assertEquals(Map.of(1, 1, 2, 2), ManagerDictExample.runInParallel(dict));
        assertEquals(List.of(), dir.list().stream().filter((f) -> f.startsWith("manager-")).toList(),
            "the manager removed its socket and key");
    }
}
