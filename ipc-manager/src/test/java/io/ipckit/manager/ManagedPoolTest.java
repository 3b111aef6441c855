package io.ipckit.manager;

import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.SerializableRunnable;
import io.ipckit.core.testing.TestDirectory;
import io.ipckit.pool.SerializableCallable;
import io.ipckit.pool.SerializableFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code pool(n)}: a process pool in the manager's JVM, used from this JVM and from another.
 */
class ManagedPoolTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    private Manager manager;

    @AfterEach
    void stop()
    {
        if (manager != null)
        {
            manager.close();
            manager.process().kill();
        }
    }

    /**
     * The tasks are lambdas of this class: the manager rebuilds them only from an allowed capturing class, and the
     * filter then sees each lambda's own class, {@code ManagedPoolTest$$Lambda/0x...}: a prefix pattern.
     */
    private static final ManagerOptions ALLOWING_THIS_TESTS_LAMBDAS =
        new ManagerOptions().allowClasses(ManagedPoolTest.class.getName() + "*");

    @Test
    @Timeout(120)
    void shouldApplyMapAndSubmitInTheManagersWorkersFromTwoJvms() throws Exception
    {
        manager = Manager.start("pooled", ALLOWING_THIS_TESTS_LAMBDAS);
        final ManagedPool pool = manager.pool(2);
        assertEquals(2, pool.workerCount());
        final long managerPid = manager.process().pid();
        final SerializableFunction<Integer, Long> pid = (x) -> ProcessHandle.current().pid();
        final long workerPid = pool.apply(pid, 0);
        assertTrue(workerPid != managerPid && workerPid != ProcessHandle.current().pid(), "ran in a worker JVM");
        assertEquals(List.of(1, 4, 9, 16), pool.map((Integer x) -> x * x, List.of(1, 2, 3, 4)));
        final Future<String> future = pool.submit(() -> "done");
        assertEquals("done", future.get(30, TimeUnit.SECONDS));
        assertTrue(future.isDone());
        final ExecutionException failed = assertThrows(ExecutionException.class, () -> pool.submit(() ->
        {
            throw new IllegalStateException("task failed");
        }).get());
        final StringBuilder chain = new StringBuilder();
        for (Throwable t = failed; t != null; t = t.getCause())
        {
            chain.append(t).append('\n');
        }
        assertTrue(chain.toString().contains("task failed"), chain.toString());
        final CompletionException mapFailed = assertThrows(CompletionException.class,
            () -> pool.map((Integer x) -> 10 / x, List.of(1, 0)));
        assertInstanceOf(CompletionException.class, mapFailed);

        final ConcurrentMap<String, Integer> results = manager.dict();
        final JvmProcess child = dir.start((SerializableRunnable)() ->
        {
            try
            {
                results.put("sum", pool.map((Integer x) -> x + 1, List.of(1, 2, 3)).stream().mapToInt(i -> i).sum());
            }
            catch (final InterruptedException ex)
            {
                throw new IllegalStateException(ex);
            }
        });
        assertTrue(child.join(60, TimeUnit.SECONDS));
        assertEquals(0, child.exitCode().getAsInt());
        assertEquals(9, results.get("sum"), "another JVM used the same pool through a proxy it was given");
    }

    @Test
    @Timeout(120)
    void shouldServeAsAnExecutorServiceUntilAnotherJvmShutsItDown() throws Exception
    {
        manager = Manager.start("executor", ALLOWING_THIS_TESTS_LAMBDAS);
        final ManagedPool pool = manager.pool(2);
        final List<SerializableCallable<Integer>> tasks = List.of(() -> 1, () -> 2, () -> 3);
        final List<Future<Integer>> all = pool.invokeAll(tasks);
        assertEquals(3, all.size());
        for (int i = 0; i < 3; i++)
        {
            assertTrue(all.get(i).isDone());
            assertEquals(i + 1, all.get(i).get());
        }
        final List<Future<Integer>> timed = pool.invokeAll(tasks, 30, TimeUnit.SECONDS);
        assertEquals(6, timed.stream().mapToInt((f) -> f.resultNow()).sum());
        final List<SerializableCallable<Integer>> oneFails = List.of(() -> 1, () ->
        {
            throw new IllegalStateException("second failed");
        });
        final ExecutionException failed = assertThrows(ExecutionException.class,
            () -> pool.invokeAll(oneFails).get(1).get());
        assertInstanceOf(IllegalStateException.class, failed.getCause());
        assertEquals(7, pool.invokeAny(List.<SerializableCallable<Integer>>of(() -> 7)));
        assertEquals(8, pool.invokeAny(List.<SerializableCallable<Integer>>of(() -> 8), 30, TimeUnit.SECONDS));
        assertThrows(ExecutionException.class, () -> pool.invokeAny(List.<SerializableCallable<Integer>>of(() ->
        {
            throw new IllegalStateException("every task failed");
        })));
        assertEquals("done", pool.submit((Runnable & java.io.Serializable)() -> { }, "done").get());
        final java.util.concurrent.Callable<String> notSerializable = () -> "never sent";
        assertThrows(RejectedExecutionException.class, () -> pool.submit(notSerializable));
        assertFalse(pool.isShutdown());

        final JvmProcess child = dir.start((SerializableRunnable)pool::shutdown);
        assertTrue(child.join(60, TimeUnit.SECONDS));
        assertEquals(0, child.exitCode().getAsInt());
        assertTrue(pool.isShutdown(), "another JVM shut the pool down for every client");
        assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        assertTrue(pool.isTerminated());
        assertThrows(RejectedExecutionException.class, () -> pool.submit(() -> "late"));
        assertThrows(RejectedExecutionException.class, () -> pool.apply((Integer x) -> x, 1));
        pool.close();

        final ManagedPool busy = manager.pool(1);
        final String started = dir.path().resolve("started").toString();
        final Future<Object> slow = busy.submit(() ->
        {
            java.nio.file.Files.createFile(java.nio.file.Path.of(started));
            TimeUnit.SECONDS.sleep(60);
            return null;
        });
        for (int i = 0; i < 8; i++)
        {
            busy.submit(() -> "queued");
        }
        io.ipckit.core.testing.Eventually.await("the slow task started", java.time.Duration.ofSeconds(30),
            () -> java.nio.file.Files.exists(java.nio.file.Path.of(started)));
        final List<Runnable> neverRun = busy.shutdownNow();
        assertFalse(neverRun.isEmpty(), "the queued tasks come back");
        for (final Runnable task : neverRun)
        {
            task.run(); // a Callable comes back as a Runnable that calls it
        }
        assertThrows(java.util.concurrent.CancellationException.class, slow::get, "the running task was stopped");
        assertTrue(busy.awaitTermination(30, TimeUnit.SECONDS));
    }
}
