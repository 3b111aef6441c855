package io.ipckit.demos.cookbook;

import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs every cookbook example as {@code bin/run-class} would, in a JVM of its own, and checks what it printed, its
 * exit code, and that it left the shared directory clean.
 */
class CookbookTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    static Stream<Arguments> examples()
    {
        return Stream.of(
            Arguments.of(ProcessWithArgs.class, List.of("hello bob from pid", "hello jerry from pid", "hello main",
                "p1 (pid", "exited with 0")),
            Arguments.of(QueueProducerConsumer.class, List.of("Producer producing!", "Consumer consuming!", "All done")),
            Arguments.of(QueueFromChild.class, List.of("[42, null, hello]")),
            Arguments.of(PipeConsumer.class, List.of("got an item: alma", "got an item: 9",
                "end of stream: the producer closed its end", "consumer exited with 0")),
            Arguments.of(PoolStarmap.class, List.of("pool created", "task 0 in worker pid", "task 1 in worker pid")),
            Arguments.of(PoolMap.class, List.of("Starting worker pid", "[1, 4, 9]")),
            Arguments.of(PoolApplyAsync.class, List.of("100\n[0, 1, 4, 9, 16, 25, 36, 49, 64, 81]\n" +
                "[0, 1, 4, 9, 16, 25, 36, 49, 64, 81]")),
            Arguments.of(ExecutorSubmit.class, List.of("9801\n9801")),
            Arguments.of(FibThreadsVsProcesses.class, List.of("832040\n832040\nthread cost", "832040\n832040\nprocess cost")),
            Arguments.of(ParMapWithPipes.class, List.of("[1, 4, 27, 256]")),
            Arguments.of(KillChildren.class, List.of("exit code -9")),
            Arguments.of(SharedArrayWithExecutor.class, List.of("hey", "[78, 78] sum 78")),
            Arguments.of(ValueAndArray.class, List.of("counter.value = 2000", "array[:] = [0.0, 1.5, 3.0]")),
            Arguments.of(LifoAndPriorityQueues.class, List.of("LIFO: third, second, first",
                "priority: 1:urgent, 2:normal, 3:low")),
            Arguments.of(SchedAndTimer.class, List.of("C -> D -> B -> A -> timer fired")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void shouldRunTheExampleAndLeaveNothingBehind(final Class<?> example, final List<String> expected) throws Exception
    {
        final Path output = dir.path().resolve("example.out");
        final JvmProcess process = dir.start(example, new ProcessOptions().redirectOutput(output)
            .redirectErrorStream(true).daemon(true));
        assertTrue(process.join(120, TimeUnit.SECONDS), example + " did not finish");
        final String printed = Files.readString(output);
        assertEquals(0, process.exitCode().getAsInt(), printed);
        for (final String line : expected)
        {
            assertTrue(printed.contains(line), "expected \"" + line + "\" in:\n" + printed);
        }
        assertEquals(List.of("example.out"), dir.list(), printed);
    }
}
