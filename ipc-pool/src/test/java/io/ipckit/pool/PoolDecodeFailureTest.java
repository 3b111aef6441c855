package io.ipckit.pool;

import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Values that cannot be deserialized where they arrive (a task's function or argument in a worker) fail the tasks
 * that carry them, with the cause, and leave the pool working: they neither kill workers without end nor hang the
 * caller.
 */
@Timeout(120)
class PoolDecodeFailureTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldFailTheTasksWhoseFunctionOrArgumentAWorkerCannotDeserialize() throws Exception
    {
        try (ProcessPool pool = ProcessPool.create(1))
        {
            final long pid = pool.submit(() -> ProcessHandle.current().pid()).get(30, TimeUnit.SECONDS);
            final Bomb bomb = new Bomb();
            final SerializableFunction<Integer, Integer> broken = (x) -> x + (bomb == null ? 0 : 1);
            // before, the worker died decoding the function and each replacement died of it again: map never returned
            final CompletionException mapFailure = assertThrows(CompletionException.class,
                () -> pool.map(broken, List.of(1, 2, 3), 1));
            assertBombIn(mapFailure.getCause(), "the function of task #");
            final Iterator<Integer> again = pool.imap(broken, List.of(4, 5), 1);
            for (int i = 0; i < 2; i++)
            {
                assertBombIn(assertThrows(CompletionException.class, again::next).getCause(), "the function of task #");
            }
            assertFalse(again.hasNext());

            // before, the worker died decoding the argument, and the whole chunk failed with "exited with code 1"
            final Iterator<String> chunk = pool.imap((Object o) -> "ran " + o, List.of("a", new Bomb(), "c"), 3);
            assertEquals("ran a", chunk.next());
            assertBombIn(assertThrows(CompletionException.class, chunk::next).getCause(), "item 1 of task #");
            assertEquals("ran c", chunk.next());
            assertEquals(List.of(pid), pool.workerPids(), "the worker survived every failure");
        }
    }

    @Test
    void shouldGiveUpOnATaskWhoseFunctionKillsTwoWorkers() throws Exception
    {
        try (ProcessPool pool = ProcessPool.create(1))
        {
            final Halter halter = new Halter();
            final ExecutionException ex = assertThrows(ExecutionException.class,
                () -> pool.applyAsync((Integer x) -> x + (halter == null ? 0 : 1), 1).get(60, TimeUnit.SECONDS));
            final WorkerDiedException died = assertInstanceOf(WorkerDiedException.class, ex.getCause());
            assertEquals(Halter.EXIT_CODE, died.exitCode());
            assertTrue(died.getMessage().startsWith("task #1 (1 items) was held by 2 workers that exited before it " +
                "ran"), died.getMessage());
            assertEquals(7, pool.submit(() -> 7).get(30, TimeUnit.SECONDS), "the pool goes on");
        }
    }

    @Test
    void shouldFailOnlyTheItemWhoseResultThePoolCannotDeserialize() throws Exception
    {
        try (ProcessPool pool = ProcessPool.create(1))
        {
            final long pid = pool.submit(() -> ProcessHandle.current().pid()).get(30, TimeUnit.SECONDS);
            final Iterator<Object> results = pool.imap((Integer x) -> x == 2 ? new Fragile() : x, List.of(1, 2, 3), 3);
            assertEquals(1, results.next());
            // before, the reader killed the worker and the task ran again, then failed as "killed by signal 9"
            final IpcException ex = assertInstanceOf(IpcException.class,
                assertThrows(CompletionException.class, results::next).getCause());
            assertTrue(ex.getMessage().startsWith("cannot deserialize item 1 of the result of task #2 sent by " +
                "worker 0.0"), ex.getMessage());
            assertEquals(Fragile.MESSAGE, assertInstanceOf(IllegalStateException.class, ex.getCause()).getMessage());
            assertEquals(3, results.next());
            assertEquals(List.of(pid), pool.workerPids(), "the worker was neither killed nor replaced");
            assertEquals(List.of(1L), pool.map((Long p) -> Fragile.runs(p), List.of(pid)),
                "the task ran once");
        }
    }

    @Test
    void shouldFailTheTaskWhoseResultThrowsAnErrorInTheReaderAndGoOn() throws Exception
    {
        final ProcessPool pool = ProcessPool.create(1);
        try
        {
            final long pid = pool.submit(() -> ProcessHandle.current().pid()).get(30, TimeUnit.SECONDS);
            // before, the Error ended the worker's reader without a word: the future never completed, and neither
            // close() nor shutdownNow() ever saw the worker exit
            final ExecutionException ex = assertThrows(ExecutionException.class,
                () -> pool.applyAsync((Integer x) -> new Exhausting(), 1).get(30, TimeUnit.SECONDS));
            final IpcException failure = assertInstanceOf(IpcException.class, ex.getCause());
            assertTrue(failure.getMessage().startsWith("the pool could not read the results of task #2 (1 items) " +
                "from worker 0.0"), failure.getMessage());
            assertEquals(Exhausting.MESSAGE, assertInstanceOf(OutOfMemoryError.class, failure.getCause()).getMessage());
            final long replacement = pool.submit(() -> ProcessHandle.current().pid()).get(30, TimeUnit.SECONDS);
            assertFalse(replacement == pid, "the worker whose reader failed was replaced");
            assertTimeoutPreemptively(Duration.ofSeconds(30), pool::close);
        }
        finally
        {
            pool.shutdownNow(); // only a failed test gets here with workers left
        }
    }

    @Test
    void shouldDeliverTheClassAndMessageOfAnExceptionThePoolRefuses() throws Exception
    {
        try (ProcessPool pool = ProcessPool.create(1))
        {
            // before, the caller saw only "refused to deserialize", naming neither the class nor the allowed packages
            final ExecutionException ex = assertThrows(ExecutionException.class, () -> pool.submit(() ->
            {
                throw new SQLException("duplicate key 42");
            }).get(30, TimeUnit.SECONDS));
            final RemoteTaskException standIn = assertInstanceOf(RemoteTaskException.class, ex.getCause());
            assertEquals("java.sql.SQLException: duplicate key 42", standIn.getMessage());
            assertTrue(standIn.getStackTrace()[0].getClassName().startsWith(PoolDecodeFailureTest.class.getName()),
                "the stack trace is the worker's: " + standIn.getStackTrace()[0]);
            final IpcException refusal = assertInstanceOf(IpcException.class, standIn.getSuppressed()[0]);
            assertTrue(refusal.getMessage().startsWith("refused to deserialize a java.sql.SQLException from a pool " +
                "message of "), refusal.getMessage());
            assertTrue(refusal.getMessage().contains("packages of the submitted code [io.ipckit.pool]") &&
                refusal.getMessage().endsWith("allowClasses(\"java.sql.*\")"), refusal.getMessage());

            final CompletionException chained = assertThrows(CompletionException.class, () -> pool.map((Integer x) ->
            {
                throw new IllegalStateException("item " + x, new SQLException("duplicate key " + x));
            }, List.of(7)));
            final RemoteTaskException outer = assertInstanceOf(RemoteTaskException.class, chained.getCause());
            assertEquals("java.lang.IllegalStateException: item 7", outer.getMessage());
            assertEquals("java.sql.SQLException: duplicate key 7",
                assertInstanceOf(RemoteTaskException.class, outer.getCause()).getMessage());
        }
    }

    private static void assertBombIn(final Throwable failure, final String what)
    {
        final IpcException ex = assertInstanceOf(IpcException.class, failure);
        assertTrue(ex.getMessage().startsWith(what) &&
            ex.getMessage().contains("could not be deserialized in worker 0"), ex.getMessage());
        Throwable cause = ex;
        while (cause != null && !(cause instanceof InvalidObjectException))
        {
            cause = cause.getCause();
        }
        assertInstanceOf(InvalidObjectException.class, cause, "the cause travels back");
        assertEquals(Bomb.MESSAGE, cause.getMessage());
    }

    /**
     * Serializes, but throws when deserialized.
     */
    static final class Bomb implements Serializable
    {
        static final String MESSAGE = "a bomb cannot be deserialized";
        private static final long serialVersionUID = 1L;

        @Serial
        private void readObject(final ObjectInputStream in) throws IOException
        {
            throw new InvalidObjectException(MESSAGE);
        }
    }

    /**
     * A result that a worker sends but whose deserialization in the pool throws a RuntimeException.
     */
    static final class Fragile implements Serializable
    {
        static final String MESSAGE = "a fragile result breaks on arrival";
        private static final long serialVersionUID = 1L;
        private static int created;

        Fragile()
        {
            created++;
        }

        /**
         * @return in a worker, how many Fragile it created: 1 when each task that makes one ran once.
         */
        static long runs(final long pid)
        {
            return pid == ProcessHandle.current().pid() ? created : -1;
        }

        @Serial
        private void readObject(final ObjectInputStream in)
        {
            throw new IllegalStateException(MESSAGE);
        }
    }

    /**
     * A result whose deserialization in the pool throws an Error, as running out of memory there would.
     */
    static final class Exhausting implements Serializable
    {
        static final String MESSAGE = "injected by the test: no memory for this result";
        private static final long serialVersionUID = 1L;

        @Serial
        private void readObject(final ObjectInputStream in)
        {
            throw new OutOfMemoryError(MESSAGE);
        }
    }

    /**
     * Serializes, but halts the JVM that deserializes it (a worker: the pool only sends it).
     */
    static final class Halter implements Serializable
    {
        static final int EXIT_CODE = 7;
        private static final long serialVersionUID = 1L;

        @Serial
        private void readObject(final ObjectInputStream in)
        {
            Runtime.getRuntime().halt(EXIT_CODE);
        }
    }
}
