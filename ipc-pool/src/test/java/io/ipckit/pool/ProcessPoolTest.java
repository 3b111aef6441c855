package io.ipckit.pool;

import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.file.MappedFile;
import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.file.ResourceKind;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessIdentity;
import io.ipckit.core.process.SerializableRunnable;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.TestDirectory;
import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcessPoolTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldStartTheSecondWorkersJvmAfterTheStagger() throws Exception
    {
        final long staggerMs = 500;
        try (ProcessPool pool = ProcessPool.create(new PoolOptions().workers(2).tasksInFlightPerWorker(1)
            .workerStartStagger(staggerMs, TimeUnit.MILLISECONDS)))
        {
            final Map<Long, Long> jvmStartMsByPid = new java.util.HashMap<>();
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (jvmStartMsByPid.size() < 2)
            {
                assertTrue(System.nanoTime() < deadlineNs, "both workers ran no task within 30 s: " + jvmStartMsByPid);
                final List<CompletableFuture<long[]>> batch = new ArrayList<>();
                for (int i = 0; i < 4; i++)
                {
                    batch.add(pool.submit(() ->
                    {
                        Thread.sleep(20); // keeps one worker busy, so the next task goes to the other when it is up
                        return new long[] {ProcessHandle.current().pid(),
                            java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime()};
                    }));
                }
                for (final CompletableFuture<long[]> result : batch)
                {
                    final long[] pidAndStart = result.get(30, TimeUnit.SECONDS);
                    jvmStartMsByPid.put(pidAndStart[0], pidAndStart[1]);
                }
            }
            final long spreadMs = java.util.Collections.max(jvmStartMsByPid.values()) -
                java.util.Collections.min(jvmStartMsByPid.values());
            // the second JVM's shell sleeps the stagger before it execs; without it both start within tens of ms
            assertTrue(spreadMs >= staggerMs - 100, "the workers' JVMs started " + spreadMs + " ms apart: " +
                jvmStartMsByPid);
            assertEquals(new HashSet<>(pool.workerPids()), jvmStartMsByPid.keySet(),
                "the pids that ran tasks are the pool's workers (the shell exec'd the JVM in place)");
        }
    }

    @Test
    void shouldMapTenThousandItemsInOrder() throws Exception
    {
        try (ProcessPool pool = ProcessPool.create(2))
        {
            final List<Integer> items = IntStream.range(0, 10_000).boxed().toList();
            final List<Integer> doubled = pool.map((Integer x) -> x * 2, items);
            assertEquals(IntStream.range(0, 10_000).map((x) -> x * 2).boxed().toList(), doubled);

            final List<String> oneByOne = pool.map((Integer x) -> "#" + x, items.subList(0, 500), 1);
            assertEquals(items.subList(0, 500).stream().map((x) -> "#" + x).toList(), oneByOne);

            // chunks larger than the call: before, Integer.MAX_VALUE failed with "Illegal Capacity: -1", 50 million
            // with a NegativeArraySizeException and 100 million ran out of heap
            for (final int chunk : new int[]{Integer.MAX_VALUE, 50_000_000, 100_000_000})
            {
                assertEquals(List.of(2, 4, 6), pool.map((Integer x) -> x * 2, List.of(1, 2, 3), chunk));
            }
        }
        assertEquals(List.of(), dir.list(), "the pool removes its workers' link files");
    }

    @Test
    void shouldCarryTasksAndResultsLongerThanTheRing() throws Exception
    {
        try (ProcessPool pool = ProcessPool.create(new PoolOptions().workers(1).ringCapacityBytes(4096)))
        {
            final List<byte[]> items = IntStream.range(0, 4).mapToObj((i) ->
            {
                final byte[] bytes = new byte[100_000 + i];
                java.util.Arrays.fill(bytes, (byte)i);
                return bytes;
            }).toList();
            final List<byte[]> results = pool.map((byte[] bytes) ->
            {
                final byte[] copy = bytes.clone();
                copy[copy.length - 1]++;
                return copy;
            }, items, 1);
            for (int i = 0; i < items.size(); i++)
            {
                final byte[] expected = items.get(i).clone();
                expected[expected.length - 1]++;
                assertTrue(java.util.Arrays.equals(expected, results.get(i)), "result " + i);
            }
        }
        assertEquals(List.of(), dir.list());
    }

    @Test
    void shouldCarryStringsWithUnpairedSurrogatesUnchanged() throws Exception
    {
        // before, UTF-8 replaced each unpaired surrogate with '?': "a\uD800b" came back as "a?b"
        try (ProcessPool pool = ProcessPool.create(1))
        {
            assertEquals("a\uD800b", pool.apply((String s) -> s, "a\uD800b"));
            final String captured = "\uDBFF";
            assertEquals(List.of("\uDC00x" + captured, "\uD83D\uDE00" + captured),
                pool.map((String s) -> s + captured, List.of("\uDC00x", "\uD83D\uDE00"), 2));
            assertEquals(List.of("\uD800", 1), pool.apply((Integer x) ->
                new ArrayList<>(List.of(String.valueOf((char)0xD800), x)), 1),
                "made in the worker, in a list");
        }
    }

    @Test
    void shouldYieldEveryResultOnceFromImapUnordered() throws Exception
    {
        try (ProcessPool pool = ProcessPool.create(2))
        {
            final Iterator<Long> results = pool.imapUnordered((Integer x) -> (long)x * x, IntStream.range(0, 1000).boxed().toList(), 7);
            final Set<Long> seen = new HashSet<>();
            int count = 0;
            while (results.hasNext())
            {
                assertTrue(seen.add(results.next()));
                count++;
            }
            assertEquals(1000, count);
            assertEquals(IntStream.range(0, 1000).mapToObj((x) -> (long)x * x).collect(java.util.stream.Collectors.toSet()), seen);

            final Iterator<Integer> ordered = pool.imap((Integer x) -> x + 1, List.of(1, 2, 3), 1);
            assertEquals(2, ordered.next());
            assertEquals(3, ordered.next());
            assertEquals(4, ordered.next());
            assertFalse(ordered.hasNext());
        }
    }

    @Test
    void shouldPropagateExceptionsWithTheWorkersStackTrace() throws Exception
    {
        try (ProcessPool pool = ProcessPool.create(1))
        {
            final CompletableFuture<Object> future = pool.submit(() ->
            {
                throw new IllegalArgumentException("bad input 42");
            });
            final ExecutionException ex = assertThrows(ExecutionException.class, future::get);
            final IllegalArgumentException cause = assertInstanceOf(IllegalArgumentException.class, ex.getCause());
            assertEquals("bad input 42", cause.getMessage());
            assertTrue(cause.getStackTrace()[0].getClassName().startsWith(ProcessPoolTest.class.getName()),
                "the stack trace is the worker's: " + cause.getStackTrace()[0]);
            assertEquals(1, cause.getSuppressed().length);
            assertTrue(cause.getSuppressed()[0].getMessage().contains("raised in worker 0.0 (pid "),
                cause.getSuppressed()[0].getMessage());

            final CompletionException mapFailure = assertThrows(CompletionException.class,
                () -> pool.map((Integer x) -> 10 / x, List.of(1, 0, 2), 1));
            assertInstanceOf(ArithmeticException.class, mapFailure.getCause());
            assertEquals(5, pool.apply((Integer x) -> 10 / x, 2), "the worker survives a task's exception");
        }
    }

    @Test
    void shouldCancelAPendingTask() throws Exception
    {
        try (ResourceFile gate = Gates.create("gate");
             ProcessPool pool = ProcessPool.create(new PoolOptions().workers(1).tasksInFlightPerWorker(1)))
        {
            final CompletableFuture<Integer> blocker = pool.submit(() -> Gates.passAndCount("gate"));
            Eventually.await("the first task runs", Duration.ofSeconds(30), () -> Gates.entered(gate) == 1);
            final CompletableFuture<Integer> second = pool.submit(() -> Gates.passAndCount("gate"));
            assertTrue(second.cancel(false));
            final CompletableFuture<Integer> third = pool.submit(() -> Gates.passAndCount("gate"));
            Gates.open(gate);
            assertEquals(1, blocker.get(30, TimeUnit.SECONDS));
            assertEquals(2, third.get(30, TimeUnit.SECONDS), "the cancelled task never ran");
            assertThrows(CancellationException.class, second::get);
            gate.unlink();
        }
    }

    @Test
    void shouldFailOnlyTheTaskOfAKilledWorkerAndReplaceIt() throws Exception
    {
        try (ResourceFile gate = Gates.create("victim");
             ProcessPool pool = ProcessPool.create(new PoolOptions().workers(2).tasksInFlightPerWorker(1)))
        {
            final CompletableFuture<Integer> doomed = pool.submit(() -> Gates.passAndCount("victim"));
            Eventually.await("the doomed task runs", Duration.ofSeconds(30), () -> Gates.entered(gate) == 1);
            final List<CompletableFuture<Integer>> others = new ArrayList<>();
            for (int i = 0; i < 20; i++)
            {
                final int n = i;
                others.add(pool.submit(() -> n * n));
            }
            final long victimPid = gate.buffer().getLongAcquire(gate.headerLength() + Gates.PID);
            ProcessHandle.of(victimPid).orElseThrow().destroyForcibly();

            final ExecutionException ex = assertThrows(ExecutionException.class, () -> doomed.get(30, TimeUnit.SECONDS));
            final WorkerDiedException died = assertInstanceOf(WorkerDiedException.class, ex.getCause());
            assertEquals(-9, died.exitCode());
            assertTrue(died.getMessage().contains("was killed by signal 9 while running task #1"), died.getMessage());
            for (int i = 0; i < 20; i++)
            {
                assertEquals(i * i, others.get(i).get(30, TimeUnit.SECONDS));
            }
            Eventually.await("the pool is back to 2 workers", Duration.ofSeconds(30),
                () -> pool.workerPids().size() == 2 && !pool.workerPids().contains(victimPid));
            assertEquals(7, pool.submit(() -> 7).get(30, TimeUnit.SECONDS));
            gate.unlink();
        }
    }

    @Test
    void shouldReportAWorkerThatExits() throws Exception
    {
        try (ProcessPool pool = ProcessPool.create(1))
        {
            final CompletableFuture<Object> exits = pool.submit(() ->
            {
                System.exit(3);
                return null;
            });
            final ExecutionException ex = assertThrows(ExecutionException.class, () -> exits.get(30, TimeUnit.SECONDS));
            assertEquals(3, assertInstanceOf(WorkerDiedException.class, ex.getCause()).exitCode());
            assertEquals("still here", pool.submit(() -> "still here").get(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void shouldReplaceWorkersAfterMaxTasks() throws Exception
    {
        try (ProcessPool pool = ProcessPool.create(new PoolOptions().workers(1).maxTasksPerWorker(2)))
        {
            final List<Long> pids = new ArrayList<>();
            for (int i = 0; i < 6; i++)
            {
                pids.add(pool.submit(() -> ProcessHandle.current().pid()).get(30, TimeUnit.SECONDS));
            }
            assertEquals(3, new HashSet<>(pids).size(), "pids: " + pids);
            assertEquals(pids.get(0), pids.get(1));
            assertEquals(pids.get(2), pids.get(3));
        }
    }

    @Test
    void shouldRunTheInitializerOncePerWorker() throws Exception
    {
        try (ProcessPool pool = ProcessPool.create(new PoolOptions().workers(2)
            .initializer(() -> System.setProperty("pool.init", "done-" + ProcessHandle.current().pid()))))
        {
            final List<String> seen = pool.map((Integer x) -> System.getProperty("pool.init") + "/" +
                ProcessHandle.current().pid(), List.of(1, 2, 3, 4), 1);
            for (final String s : seen)
            {
                final String[] parts = s.split("/");
                assertEquals("done-" + parts[1], parts[0]);
            }
        }
    }

    @Test
    void shouldSendTheFirstTaskToAWorkerThatIsStillStarting() throws Exception
    {
        try (ResourceFile gate = Gates.create("boot");
             ProcessPool pool = ProcessPool.create(new PoolOptions().workers(1).initializer(() ->
             {
                 passGate("boot");
                 System.setProperty("pool.booted", "after the gate");
             })))
        {
            final CompletableFuture<String> first = pool.submit(() -> System.getProperty("pool.booted"));
            final CompletableFuture<Long> second = pool.submit(() -> ProcessHandle.current().pid());
            // the worker's initializer waits at the gate, so it cannot be ready: it holds the first task all the
            // same, and only that one (the second waits for a ready worker)
            Eventually.await("the starting worker holds the first task", Duration.ofSeconds(30),
                () -> Gates.entered(gate) == 1 && pool.scheduler().tasksHeld(0) == -1);
            assertFalse(first.isDone());
            Gates.open(gate);
            assertEquals("after the gate", first.get(30, TimeUnit.SECONDS), "the task ran after the initializer");
            assertEquals(pool.workerPids().get(0), second.get(30, TimeUnit.SECONDS));
            assertEquals(0, pool.scheduler().tasksHeld(0), "the worker is ready and holds nothing");
            gate.unlink();
        }
    }

    @Test
    void shouldRequeueTheFirstTaskOfAWorkerThatDiesBeforeItIsReady() throws Exception
    {
        try (ResourceFile gate = Gates.create("doomed-boot");
             ProcessPool pool = ProcessPool.create(new PoolOptions().workers(1)
                 .initializer(() -> passGate("doomed-boot"))))
        {
            final CompletableFuture<Long> task = pool.submit(() -> ProcessHandle.current().pid());
            Eventually.await("the starting worker holds the task", Duration.ofSeconds(30),
                () -> Gates.entered(gate) == 1 && pool.scheduler().tasksHeld(0) == -1);
            final long doomedPid = gate.buffer().getLongAcquire(gate.headerLength() + Gates.PID);
            ProcessHandle.of(doomedPid).orElseThrow().destroyForcibly();
            Eventually.await("the replacement is in its initializer", Duration.ofSeconds(30),
                () -> Gates.entered(gate) == 2);
            final long replacementPid = gate.buffer().getLongAcquire(gate.headerLength() + Gates.PID);
            Gates.open(gate);
            // the task never started in the killed worker: it runs once, in the replacement, instead of failing
            assertEquals(replacementPid, task.get(30, TimeUnit.SECONDS));
            assertNotEquals(doomedPid, replacementPid);
            gate.unlink();
        }
    }

    @Test
    void shouldFailTheTasksOfAPoolWhoseWorkersKeepDyingBeforeTheyAreReady() throws Exception
    {
        // three workers started at once each take a task while starting, and die in their initializer: the pool
        // breaks at the third death, and every task fails as a queued one does, whichever worker held it
        try (ProcessPool pool = ProcessPool.create(new PoolOptions().workers(3)
            .workerStartStagger(0, TimeUnit.MILLISECONDS).initializer(() -> Runtime.getRuntime().halt(3))))
        {
            final List<CompletableFuture<Integer>> tasks = new ArrayList<>();
            for (int i = 0; i < 3; i++)
            {
                final int n = i;
                tasks.add(pool.submit(() -> n));
            }
            for (final CompletableFuture<Integer> task : tasks)
            {
                final ExecutionException ex = assertThrows(ExecutionException.class,
                    () -> task.get(30, TimeUnit.SECONDS));
                assertInstanceOf(IpcException.class, ex.getCause());
                assertTrue(ex.getCause().getMessage().contains("keep dying before they are ready"),
                    ex.getCause().getMessage());
            }
        }
    }

    @Test
    void shouldBreakThePoolWhenTheInitializerFails()
    {
        final ProcessPool pool = ProcessPool.create(new PoolOptions().workers(1).initializer(() ->
        {
            throw new IllegalStateException("no database");
        }));
        try
        {
            final CompletableFuture<Integer> future = pool.submit(() -> 1);
            final ExecutionException ex = assertThrows(ExecutionException.class, () -> future.get(30, TimeUnit.SECONDS));
            assertTrue(ex.getCause().getMessage().contains("no database"), ex.getCause().getMessage());
            final RejectedExecutionException rejected = assertThrows(RejectedExecutionException.class, () -> pool.submit(() -> 2));
            assertTrue(rejected.getMessage().contains("is broken"), rejected.getMessage());
        }
        finally
        {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldKillATaskOverItsTimeout() throws Exception
    {
        // 3 s, not less: the follow-up task runs on a cold replacement worker under the same timeout
        try (ProcessPool pool = ProcessPool.create(new PoolOptions().workers(1).taskTimeout(3, TimeUnit.SECONDS)))
        {
            final CompletableFuture<Object> forever = pool.submit(() ->
            {
                while (!Thread.currentThread().isInterrupted())
                {
                    Thread.onSpinWait();
                }
                return null;
            });
            final ExecutionException ex = assertThrows(ExecutionException.class, () -> forever.get(30, TimeUnit.SECONDS));
            assertTrue(ex.getCause().getMessage().contains("ran longer than its timeout of 3000 ms"), ex.getCause().getMessage());
            assertEquals(1, pool.submit(() -> 1).get(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void shouldCancelTheUnfinishedTasksOfAnInterruptedInvokeAll() throws Exception
    {
        try (ProcessPool pool = ProcessPool.create(new PoolOptions().workers(1).tasksInFlightPerWorker(1)))
        {
            final String ran = dir.path().resolve("ran-").toString();
            final List<java.util.concurrent.Callable<Integer>> tasks = new ArrayList<>();
            tasks.add((SerializableCallable<Integer>)() ->
            {
                Thread.sleep(1_000); // holds the only worker while the caller is interrupted
                return 0;
            });
            for (int i = 1; i <= 2; i++)
            {
                final int n = i;
                tasks.add((SerializableCallable<Integer>)() ->
                {
                    java.nio.file.Files.createFile(java.nio.file.Path.of(ran + n));
                    return n;
                });
            }
            final CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            final Thread invoking = Thread.ofPlatform().start(() ->
            {
                try
                {
                    pool.invokeAll(tasks);
                    outcome.complete(null);
                }
                catch (final Throwable ex)
                {
                    outcome.complete(ex);
                }
            });
            Eventually.await("invokeAll waiting for the first task", Duration.ofSeconds(30),
                () -> invoking.getState() == Thread.State.WAITING &&
                    java.util.Arrays.stream(invoking.getStackTrace())
                        .anyMatch((frame) -> "invokeAll".equals(frame.getMethodName())));
            invoking.interrupt();
            assertInstanceOf(InterruptedException.class, outcome.get(30, TimeUnit.SECONDS));
            // runs after whatever was still queued before it
            assertEquals("after", pool.submit((SerializableCallable<String>)() -> "after").get(30, TimeUnit.SECONDS));
            try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(dir.path()))
            {
                assertEquals(List.of(), files.map((f) -> f.getFileName().toString())
                    .filter((name) -> name.startsWith("ran-")).toList(),
                    "tasks of the interrupted invokeAll ran: ExecutorService cancels unfinished ones");
            }
        }
    }

    /**
     * A timeout of {@code Long.MIN_VALUE} gives up at once, as any negative one. Before, the deadline (now plus the
     * timeout) wrapped: invokeAll waited for every task, and invokeAny for the first.
     */
    @Test
    void shouldGiveUpAtOnceOnTheMostNegativeTimeout() throws Exception
    {
        try (ProcessPool pool = ProcessPool.create(new PoolOptions().workers(1).tasksInFlightPerWorker(1)))
        {
            final List<java.util.concurrent.Callable<Integer>> tasks = List.of(
                (SerializableCallable<Integer>)() ->
                {
                    Thread.sleep(1_000); // holds the only worker
                    return 0;
                },
                (SerializableCallable<Integer>)() -> 1);
            final List<Future<Integer>> all = pool.invokeAll(tasks, Long.MIN_VALUE, TimeUnit.NANOSECONDS);
            assertTrue(all.get(1).isCancelled(), "the task behind the busy worker was cancelled, not waited for");
            assertThrows(java.util.concurrent.TimeoutException.class,
                () -> pool.invokeAny(tasks, Long.MIN_VALUE, TimeUnit.NANOSECONDS));
        }
    }

    @Test
    void shouldImplementTheExecutorServiceContract() throws Exception
    {
        final ProcessPool pool = ProcessPool.create(2);
        final List<java.util.concurrent.Callable<Integer>> tasks = new ArrayList<>();
        for (int i = 0; i < 5; i++)
        {
            final int n = i;
            tasks.add((SerializableCallable<Integer>)() -> n + 100);
        }
        final List<Future<Integer>> all = pool.invokeAll(tasks);
        for (int i = 0; i < 5; i++)
        {
            assertEquals(i + 100, all.get(i).get());
        }
        assertTrue(pool.invokeAny(tasks) >= 100);
        assertEquals("ran", pool.submit((SerializableRunnable)() -> System.out.flush(), "ran").get(30, TimeUnit.SECONDS));
        final AtomicReference<Object> callback = new AtomicReference<>();
        pool.applyAsync((String s) -> s.toUpperCase(), "abc", callback::set, callback::set).get(30, TimeUnit.SECONDS);
        Eventually.await("callback ran", Duration.ofSeconds(10), () -> "ABC".equals(callback.get()));
        assertEquals(List.of(3, 7), pool.starmap((Integer a, Integer b) -> a + b, List.of(Map.entry(1, 2), Map.entry(3, 4)), 1));
        final List<CompletableFuture<Integer>> futures = List.of(pool.submit(() -> 1), pool.submit(() -> 2));
        int sum = 0;
        for (final Iterator<CompletableFuture<Integer>> it = ProcessPool.asCompleted(futures); it.hasNext(); )
        {
            sum += it.next().get();
        }
        assertEquals(3, sum);
        final RejectedExecutionException notSerializable = assertThrows(RejectedExecutionException.class,
            () -> pool.submit(new java.util.concurrent.Callable<Integer>()
            {
                public Integer call()
                {
                    return 1;
                }
            }));
        assertTrue(notSerializable.getMessage().contains("is not Serializable"), notSerializable.getMessage());

        pool.shutdown();
        assertTrue(pool.isShutdown());
        assertThrows(RejectedExecutionException.class, () -> pool.submit(() -> 1));
        assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        assertTrue(pool.isTerminated());
        assertEquals(List.of(), dir.list());
    }

    @Test
    void shouldThrowInterruptedExceptionFromAMapInterruptedWhileWaiting() throws Exception
    {
        try (ResourceFile gate = Gates.create("interrupted");
            ProcessPool pool = ProcessPool.create(1))
        {
            final Thread caller = Thread.currentThread();
            final Thread interrupter = new Thread(() ->
            {
                Eventually.await("the task runs", Duration.ofSeconds(30), () -> Gates.entered(gate) == 1);
                caller.interrupt();
            });
            interrupter.start();
            final InterruptedException ex = assertThrows(InterruptedException.class,
                () -> pool.map(ProcessPoolTest::passGate, List.of("interrupted"), 1));
            assertFalse(Thread.currentThread().isInterrupted(), "the interrupt travels as the exception: " + ex);
            interrupter.join();
            Gates.open(gate);
            assertEquals(List.of(2), pool.map(ProcessPoolTest::passGate, List.of("interrupted"), 1),
                "the pool goes on after an interrupted map");
            gate.unlink();
        }
    }

    @Test
    void shouldThrowAMapsFailureWithoutWaitingForItsLaterTasks() throws Exception
    {
        // map waits once for the whole map; that wait must also end at the first failure, not only when all are done
        try (ResourceFile gate = Gates.create("later");
            ProcessPool pool = ProcessPool.create(new PoolOptions().workers(2).tasksInFlightPerWorker(1)))
        {
            final CompletionException ex = assertTimeoutPreemptively(Duration.ofSeconds(30), () ->
                assertThrows(CompletionException.class, () -> pool.map(ProcessPoolTest::failOrPass,
                    List.of("fail", "later", "ok"), 1)));
            assertEquals("item fail", assertInstanceOf(IllegalStateException.class, ex.getCause()).getMessage());
            assertEquals(0, gate.buffer().getLongVolatile(gate.headerLength() + Gates.OPEN),
                "the map returned while a later task still waited at the closed gate");
            Gates.open(gate);
            assertEquals(List.of(2, 3), pool.map((Integer x) -> x + 1, List.of(1, 2), 1), "the pool goes on");
            gate.unlink();
        }
    }

    @Test
    void shouldWakeTheDispatcherOncePerSeveralResults() throws Exception
    {
        final int tasks = 400;
        try (ProcessPool pool = ProcessPool.create(new PoolOptions().workers(2).tasksInFlightPerWorker(8)))
        {
            assertEquals(List.of(1), pool.map((Integer x) -> x + 1, List.of(0), 1), "the pool is up");
            final long roundsBefore = pool.scheduler().dispatchRounds();
            final List<Integer> items = IntStream.range(0, tasks).boxed().toList();
            assertEquals(IntStream.range(1, tasks + 1).boxed().toList(), pool.map((Integer x) -> x + 1, items, 1));
            final long rounds = pool.scheduler().dispatchRounds() - roundsBefore;
            // a result's reader sends its worker the next task itself, and otherwise wakes the dispatcher only when
            // the worker is down to half its tasks in flight; before, every result woke it to send one task
            assertTrue(rounds <= tasks / 2, "dispatch rounds for " + tasks + " one-item tasks: " + rounds);
        }
    }

    @Test
    void shouldSendEachWorkerAFunctionBeforeTheTasksThatUseIt() throws Exception
    {
        // a reader that tops its worker up must leave a task whose function the worker lacks to the dispatcher
        try (ProcessPool pool = ProcessPool.create(new PoolOptions().workers(2).tasksInFlightPerWorker(2)))
        {
            final List<Integer> items = IntStream.range(0, 300).boxed().toList();
            final Iterator<Integer> plusOne = pool.imap((Integer x) -> x + 1, items, 1);
            final Iterator<Integer> timesThree = pool.imap((Integer x) -> x * 3, items, 1);
            final Iterator<String> named = pool.imap((Integer x) -> "#" + x, items, 1);
            for (final int x : items)
            {
                assertEquals(x + 1, plusOne.next());
                assertEquals(x * 3, timesThree.next());
                assertEquals("#" + x, named.next());
            }
        }
    }

    @Test
    void shouldCarryTasksWhileTheWorkersRingIsFull() throws Exception
    {
        // each task fits in a record but 16 do not fit in the ring: a reader that topped its worker up by waiting
        // for room would deadlock with the worker waiting for room for its results
        try (ProcessPool pool = ProcessPool.create(
            new PoolOptions().workers(1).ringCapacityBytes(4096).tasksInFlightPerWorker(16)))
        {
            final List<byte[]> items = IntStream.range(0, 200).mapToObj((i) ->
            {
                final byte[] bytes = new byte[400];
                java.util.Arrays.fill(bytes, (byte)i);
                return bytes;
            }).toList();
            final List<byte[]> results = pool.map((byte[] bytes) ->
            {
                final byte[] copy = bytes.clone();
                copy[0]++;
                return copy;
            }, items, 1);
            for (int i = 0; i < items.size(); i++)
            {
                assertEquals((byte)(i + 1), results.get(i)[0], "result " + i);
                assertEquals((byte)i, results.get(i)[399], "result " + i);
            }
        }
    }

    @Test
    void shouldRequeueTheTasksAKilledWorkerHeldInAOneByOneMap() throws Exception
    {
        // tasks reach the workers through their readers' top-ups, 8 in flight each; the killed worker's running task
        // fails, the 7 queued behind it run elsewhere, in order for imap
        try (ResourceFile gate = Gates.create("topped");
            ProcessPool pool = ProcessPool.create(new PoolOptions().workers(2).tasksInFlightPerWorker(8)))
        {
            final Thread killer = new Thread(() ->
            {
                Eventually.await("item 500 runs", Duration.ofSeconds(30), () -> Gates.entered(gate) == 1);
                ProcessHandle.of(gate.buffer().getLongAcquire(gate.headerLength() + Gates.PID))
                    .orElseThrow().destroyForcibly();
            });
            killer.start();
            final Iterator<Integer> results = pool.imap(ProcessPoolTest::blockAt500, IntStream.range(0, 1000).boxed().toList(), 1);
            for (int x = 0; x < 1000; x++)
            {
                if (x == 500)
                {
                    final CompletionException ex = assertThrows(CompletionException.class, results::next);
                    assertInstanceOf(WorkerDiedException.class, ex.getCause());
                }
                else
                {
                    assertEquals(x + 1, results.next(), "item " + x);
                }
            }
            assertFalse(results.hasNext());
            killer.join();
            gate.unlink();
        }
    }

    static int blockAt500(final int x)
    {
        return x == 500 ? passGate("topped") : x + 1;
    }

    static int failOrPass(final String item)
    {
        if (item.equals("fail"))
        {
            throw new IllegalStateException("item " + item);
        }
        return item.equals("ok") ? 1 : passGate(item);
    }

    static int passGate(final String gate)
    {
        try
        {
            return Gates.passAndCount(gate);
        }
        catch (final InterruptedException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    @Test
    void shouldCancelEverythingOnShutdownNow() throws Exception
    {
        try (ResourceFile gate = Gates.create("now"))
        {
            final ProcessPool pool = ProcessPool.create(new PoolOptions().workers(1).tasksInFlightPerWorker(1));
            final CompletableFuture<Integer> running = pool.submit(() -> Gates.passAndCount("now"));
            Eventually.await("the task runs", Duration.ofSeconds(30), () -> Gates.entered(gate) == 1);
            final CompletableFuture<Integer> queued = pool.submit(() -> 5);
            assertEquals(1, pool.shutdownNow().size());
            assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
            assertThrows(CancellationException.class, queued::get);
            final CancellationException ex = assertThrows(CancellationException.class, running::get);
            assertTrue(ex.getCause().getMessage().contains("was cancelled by shutdownNow()"), ex.getCause().getMessage());
            gate.unlink();
        }
    }

    @Test
    void shouldEndMapsAndIteratorsWithCompletionExceptionsOnShutdownNow() throws Exception
    {
        try (ResourceFile gate = Gates.create("cut"))
        {
            final ProcessPool pool = ProcessPool.create(new PoolOptions().workers(1).tasksInFlightPerWorker(1));
            final CompletableFuture<Throwable> mapOutcome = new CompletableFuture<>();
            final Thread mapping = Thread.ofPlatform().start(() ->
            {
                try
                {
                    mapOutcome.complete(new AssertionError("returned " + pool.map(ProcessPoolTest::passGate,
                        List.of("cut"), 1)));
                }
                catch (final Throwable ex)
                {
                    mapOutcome.complete(ex);
                }
            });
            Eventually.await("the map's task runs", Duration.ofSeconds(30), () -> Gates.entered(gate) == 1);
            final Iterator<Integer> queued = pool.imap((Integer x) -> x + 1, List.of(1, 2, 3), 1);
            pool.shutdownNow();
            // before, map threw a bare CancellationException, and each next() threw one without counting the item:
            // hasNext() stayed true for good
            assertInstanceOf(CancellationException.class,
                assertInstanceOf(CompletionException.class, mapOutcome.get(30, TimeUnit.SECONDS)).getCause());
            for (int i = 0; i < 3; i++)
            {
                assertTrue(queued.hasNext());
                final CompletionException ex = assertThrows(CompletionException.class, queued::next);
                assertTrue(assertInstanceOf(CancellationException.class, ex.getCause()).getMessage()
                    .startsWith("the pool was shut down before task #"), ex.getCause().getMessage());
            }
            assertFalse(queued.hasNext());
            assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
            mapping.join();
            gate.unlink();
        }
    }

    @Test
    void shouldStartNoWorkerWhileItsJvmExitsWithoutClosingThePool() throws Exception
    {
        final String poolName = "unclosed";
        final java.nio.file.Path started = dir.path().resolve("workers-started");
        final JvmProcess parent = dir.start(UnclosedPool.class, poolName, started.toString());
        assertTrue(parent.join(60, TimeUnit.SECONDS), "the pool's JVM returned from main and exited");
        assertEquals(0, parent.exitCode().orElseThrow());
        assertEquals("1", java.nio.file.Files.readString(started), "workers the pool started");
        java.nio.file.Files.delete(started);
        Eventually.await("no worker of the pool is left", Duration.ofSeconds(30),
            () -> ProcessHandle.allProcesses().noneMatch((process) ->
                process.info().commandLine().orElse("").contains(poolName + "-w")));
        // before, the exit's reaper stopped the worker, the pool took it for a death and started a replacement,
        // whose pipe outlived the JVM
        assertEquals(List.of(), dir.list().stream().filter((name) -> name.startsWith(poolName)).toList());
    }

    /**
     * Starts a pool named args[0], runs a task, and returns from main without closing the pool. Its exit waits until
     * the reader of the first worker has handled that worker's exit (its thread ended), so that whatever the pool
     * does then happens before this JVM is gone, then writes how many workers the pool started into file args[1].
     */
    public static final class UnclosedPool
    {
        public static void main(final String[] args) throws Exception
        {
            final ProcessPool pool = ProcessPool.create(new PoolOptions().workers(1).name(args[0]));
            pool.submit(() -> 1).get(30, TimeUnit.SECONDS);
            final String reader = "ipckit-pool-" + args[0] + "-w0-0-reader";
            Runtime.getRuntime().addShutdownHook(new Thread(() ->
            {
                Eventually.await("the worker's exit handled", Duration.ofSeconds(30),
                    () -> Thread.getAllStackTraces().keySet().stream()
                        .noneMatch((thread) -> thread.getName().equals(reader)));
                try
                {
                    java.nio.file.Files.writeString(java.nio.file.Path.of(args[1]),
                        Integer.toString(pool.scheduler().workersStarted()));
                }
                catch (final java.io.IOException ex)
                {
                    throw new java.io.UncheckedIOException(ex);
                }
            }));
        }
    }

    /**
     * The issue's bound: every worker exits within a second of its parent's SIGKILL. Every attempt must see the
     * workers exit (10 s deadline); the 1 s bound must hold in one of up to three attempts, so that one moment in
     * which this shared two-core machine deschedules an exiting worker does not fail the build, while a mechanism
     * slower than the bound still does.
     */
    @Test
    void shouldNotLeaveWorkersWhenTheParentIsKilled() throws Exception
    {
        final List<Long> tookMs = new ArrayList<>();
        for (int attempt = 0; attempt < 3 && (tookMs.isEmpty() || tookMs.get(tookMs.size() - 1) >= 1000); attempt++)
        {
            tookMs.add(killParentAndTimeWorkersExit());
        }
        assertTrue(tookMs.get(tookMs.size() - 1) < 1000, "workers took " + tookMs + " ms to exit (bound: 1 s)");
    }

    private long killParentAndTimeWorkersExit() throws Exception
    {
        try (ResourceFile pids = ResourceFile.create("pids", ResourceKind.TEST, 1, 0, 64, false, null))
        {
            final JvmProcess parent = dir.start(PoolParent.class, "pids");
            Eventually.await("the pool's workers report in", Duration.ofSeconds(60),
                () -> pids.buffer().getLongAcquire(pids.headerLength() + 8) != 0);
            final ProcessIdentity a = ProcessIdentity.of(pids.buffer().getLongAcquire(pids.headerLength())).orElseThrow();
            final ProcessIdentity b = ProcessIdentity.of(pids.buffer().getLongAcquire(pids.headerLength() + 8)).orElseThrow();
            parent.kill();
            assertTrue(parent.join(10, TimeUnit.SECONDS));
            final Duration took = Eventually.await("every worker exits", Duration.ofSeconds(10), () -> !a.isAlive() && !b.isAlive());
            pids.unlink();
            return took.toMillis();
        }
    }

    /**
     * The issue's CPU-bound case, fib(32) &times; 8 over two workers, proven by the two worker JVMs computing at the
     * same moment: each task counts itself in shared memory while it runs and, before computing, waits (with a
     * deadline) until two tasks have been running at once. A pool that ran one task at a time would leave the count at
     * one. A wall-clock speed-up ratio measured the machine instead: on a shared two-core runner it failed at 1.12x
     * and 1.15x while the pool was unchanged.
     */
    @Test
    void shouldComputeCpuBoundTasksOnTwoWorkersAtOnce() throws Exception
    {
        try (MappedFile board = MappedFile.create(Rendezvous.BOARD, Rendezvous.BOARD_LENGTH);
            ProcessPool pool = ProcessPool.create(2))
        {
            final List<Integer> inputs = java.util.Collections.nCopies(8, 32);
            final List<Long> results = pool.map(Rendezvous::fibOnceTwoRun, inputs, 1);
            assertEquals(java.util.Collections.nCopies(inputs.size(), 2178309L), results);
            final AtomicBuffer counts = board.buffer();
            assertEquals(2, counts.getLongVolatile(Rendezvous.MOST_RUNNING_OFFSET), "tasks running at once");
            assertEquals(0, counts.getLongVolatile(Rendezvous.RUNNING_OFFSET), "tasks still counted as running");
        }
    }

    /**
     * Tasks of {@link #shouldComputeCpuBoundTasksOnTwoWorkersAtOnce}, run in the worker JVMs.
     */
    static final class Rendezvous
    {
        static final String BOARD = "running";
        static final int BOARD_LENGTH = 64;
        static final int RUNNING_OFFSET = 0;
        static final int MOST_RUNNING_OFFSET = 8;
        static final int GAVE_UP_OFFSET = 16;
        private static final long WAIT_NS = TimeUnit.SECONDS.toNanos(30);

        private Rendezvous()
        {
        }

        static long fibOnceTwoRun(final Integer n)
        {
            try (MappedFile board = MappedFile.open(BOARD))
            {
                final AtomicBuffer counts = board.buffer();
                final long running = counts.getAndAddLong(RUNNING_OFFSET, 1) + 1;
                long most;
                while ((most = counts.getLongVolatile(MOST_RUNNING_OFFSET)) < running &&
                    !counts.compareAndSetLong(MOST_RUNNING_OFFSET, most, running))
                {
                    Thread.onSpinWait();
                }
                final long deadlineNs = System.nanoTime() + WAIT_NS;
                while (counts.getLongVolatile(MOST_RUNNING_OFFSET) < 2 && counts.getLongVolatile(GAVE_UP_OFFSET) == 0)
                {
                    if (System.nanoTime() - deadlineNs > 0)
                    {
                        counts.putLongVolatile(GAVE_UP_OFFSET, 1); // the tasks after this one do not wait again
                    }
                    Thread.yield();
                }
                try
                {
                    return Fib.fib(n);
                }
                finally
                {
                    counts.getAndAddLong(RUNNING_OFFSET, -1);
                }
            }
        }
    }

    /**
     * Naive Fibonacci, the Python notes' CPU-bound example.
     */
    static final class Fib
    {
        static long fib(final Integer n)
        {
            return n < 2 ? n : fib(n - 1) + fib(n - 2);
        }
    }

    /**
     * Starts a pool of 2, writes its workers' pids into resource args[0], then waits to be killed.
     */
    public static final class PoolParent
    {
        public static void main(final String[] args) throws Exception
        {
            final ProcessPool pool = ProcessPool.create(2);
            final Set<Long> pids = new HashSet<>(pool.map((Integer x) -> ProcessHandle.current().pid(),
                IntStream.range(0, 64).boxed().toList(), 1));
            while (pool.workerPids().size() < 2)
            {
                Thread.onSpinWait();
            }
            final List<Long> workers = pool.workerPids();
            try (ResourceFile file = ResourceFile.open(args[0], ResourceKind.TEST, 1))
            {
                file.buffer().putLongRelease(file.headerLength(), workers.get(0));
                file.buffer().putLongRelease(file.headerLength() + 8, workers.get(1));
            }
            Thread.sleep(TimeUnit.MINUTES.toMillis(5));
            pool.close();
            System.out.println(pids);
        }
    }
}
