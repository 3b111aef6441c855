package io.ipckit.durable;

import io.ipckit.core.codec.Codecs;
import io.ipckit.core.exceptions.ResourceClosedException;
import io.ipckit.core.exceptions.ResourceExistsException;
import io.ipckit.core.exceptions.ResourceNotFoundException;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.SystemProperties;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class SharedLogTest
{
    @RegisterExtension
    final LogDirectory logs = new LogDirectory();

    @Test
    void shouldAppendAndReadInOrderWithIncreasingIndices()
    {
        try (SharedLog<String> log = SharedLog.create("orders", Codecs.STRING);
             LogReader<String> reader = log.reader())
        {
            assertEquals(-1, log.lastIndex());
            final long first = log.append("a");
            final long second = log.append("b");
            assertTrue(second > first);
            assertEquals(second, log.lastIndex());
            assertEquals(second, log.lastAppendedIndex());
            assertEquals(first, log.firstIndex());
            assertEquals("a", reader.poll());
            assertEquals(first, reader.lastReadIndex());
            assertEquals("b", reader.poll());
            assertNull(reader.poll());
            assertTrue(Files.isDirectory(logs.resolve("orders")));
        }
    }

    @Test
    void shouldKeepEmptyAndLargeRecordsExact()
    {
        try (SharedLog<byte[]> log = SharedLog.create("sizes", Codecs.BYTES);
             LogReader<byte[]> reader = log.reader())
        {
            final byte[] large = new byte[1 << 20];
            for (int i = 0; i < large.length; i++)
            {
                large[i] = (byte)(i * 31);
            }
            for (final int length : new int[] {0, 1, 2, 3, 4, 5, 63, 64, 65})
            {
                log.append(new byte[length]);
            }
            log.append(large);
            for (final int length : new int[] {0, 1, 2, 3, 4, 5, 63, 64, 65})
            {
                assertEquals(length, reader.poll().length);
            }
            assertArrayEquals(large, reader.poll());
            assertThrows(IllegalArgumentException.class, () -> log.append(new byte[log.maxRecordLength() + 1]));
            // before: the copy threw inside the open document, reported as "a file of the log may be corrupt"
            final UnsafeBuffer small = new UnsafeBuffer(new byte[8]);
            assertThrows(IndexOutOfBoundsException.class, () -> log.append(small, 4, 8));
            assertThrows(IndexOutOfBoundsException.class, () -> log.append(small, -1, 2));
            log.append(new byte[]{9});
            assertArrayEquals(new byte[]{9}, reader.poll(), "the log goes on after a refused slice");
        }
    }

    @Test
    void shouldGiveEveryReaderEveryRecord()
    {
        try (SharedLog<Long> log = SharedLog.create("fanout", Codecs.LONG);
             LogReader<Long> a = log.reader();
             LogReader<Long> b = log.reader())
        {
            for (long i = 0; i < 100; i++)
            {
                log.append(i);
            }
            for (long i = 0; i < 100; i++)
            {
                assertEquals(i, a.poll());
            }
            assertEquals(100, b.lag());
            assertEquals(0, a.lag());
            assertEquals(0L, b.poll());
            assertEquals(99, b.lag());
        }
    }

    @Test
    void shouldResumeNamedReaderAfterReopen()
    {
        final SharedLogOptions options = new SharedLogOptions();
        try (SharedLog<Long> log = SharedLog.create(logs.resolve("named"), Codecs.LONG, options))
        {
            for (long i = 0; i < 10; i++)
            {
                log.append(i);
            }
            try (LogReader<Long> reader = log.reader("billing"))
            {
                assertEquals(0L, reader.poll());
                assertEquals(1L, reader.poll());
                assertEquals("billing", reader.name());
            }
        }
        try (SharedLog<Long> log = SharedLog.open(logs.resolve("named"), Codecs.LONG, options);
             LogReader<Long> reader = log.reader("billing");
             LogReader<Long> other = log.reader("audit"))
        {
            assertEquals(2L, reader.poll());
            assertEquals(0L, other.poll());
            assertEquals(7, reader.lag());
        }
    }

    @Test
    void shouldSeekToStartAndToEnd()
    {
        try (SharedLog<Long> log = SharedLog.create("seek", Codecs.LONG);
             LogReader<Long> reader = log.reader())
        {
            final List<Long> indices = new ArrayList<>();
            for (long i = 0; i < 10; i++)
            {
                indices.add(log.append(i));
            }
            assertTrue(reader.seek(indices.get(5)));
            assertEquals(5L, reader.poll());
            reader.toEnd();
            assertNull(reader.poll());
            assertEquals(0, reader.lag());
            log.append(10L);
            assertEquals(10L, reader.poll());
            reader.toStart();
            assertEquals(0L, reader.poll());
            assertFalse(reader.seek(indices.get(9) + 1000));
        }
    }

    @Test
    void shouldCommitAndAbortClaims() throws InterruptedException
    {
        try (SharedLog<String> log = SharedLog.create("claims", Codecs.STRING);
             LogReader<String> reader = log.reader())
        {
            final byte[] text = "in place".getBytes(StandardCharsets.UTF_8);
            int offset = log.tryClaim(text.length);
            log.claimBuffer().putBytes(offset, text);
            log.commit(offset);
            offset = log.claim(5, 1, TimeUnit.SECONDS);
            log.claimBuffer().putBytes(offset, "abort".getBytes(StandardCharsets.UTF_8));
            log.abort(offset);
            log.append("after");
            assertEquals("in place", reader.poll());
            assertEquals("after", reader.poll());
            assertNull(reader.poll());
            assertThrows(IllegalStateException.class, () -> log.commit(4));
        }
    }

    /**
     * A second claim of the thread that holds one is refused and leaves the first as it was: before, the refusal
     * rolled the first claim back and kept the append lock held, so the thread's commit failed and every other
     * thread's append, and the close, waited for good.
     */
    @Test
    void shouldRefuseASecondClaimOfOneThreadAndKeepTheFirst() throws Exception
    {
        try (SharedLog<String> log = SharedLog.create("twice", Codecs.STRING);
             LogReader<String> reader = log.reader())
        {
            final byte[] text = "first".getBytes(StandardCharsets.UTF_8);
            final int offset = log.tryClaim(text.length);
            log.claimBuffer().putBytes(offset, text);
            final IllegalStateException again = assertThrows(IllegalStateException.class, () -> log.tryClaim(4));
            assertTrue(again.getMessage().contains("already holds a claim"), again.getMessage());
            assertThrows(IllegalStateException.class, () -> log.claim(4, 1, TimeUnit.SECONDS));
            log.commit(offset);
            assertEquals("first", reader.poll());
            final CompletableFuture<Long> other = CompletableFuture.supplyAsync(() -> log.append("other"));
            assertTrue(other.get(30, TimeUnit.SECONDS) >= 0, "another thread appends after the commit");
            assertEquals("other", reader.poll());
        }
    }

    /**
     * Chronicle keeps a reader's own keys as "NAME.lock" and "NAME.version", which the positions leave out: a reader
     * of such a name was hidden from {@link SharedLog#readerPositions()} beside a reader "NAME".
     */
    @Test
    void shouldRefuseReaderNamesThePositionsWouldHide()
    {
        try (SharedLog<String> log = SharedLog.create("names", Codecs.STRING))
        {
            log.append("a");
            for (final String name : List.of("a.lock", "a.version"))
            {
                final io.ipckit.core.exceptions.InvalidNameException ex = assertThrows(
                    io.ipckit.core.exceptions.InvalidNameException.class, () -> log.reader(name));
                assertTrue(ex.getMessage().contains(name), ex.getMessage());
            }
            try (LogReader<String> reader = log.reader("a"))
            {
                assertEquals("a", reader.poll());
            }
            assertEquals(List.of("a"), List.copyOf(log.readerPositions().keySet()));
        }
    }

    /**
     * The doorbell's file is unmapped with the log's store: asked after the close, the count read freed memory and
     * the JVM died of SIGSEGV.
     */
    @Test
    void shouldRefuseTheSleepingReadersCountAfterClose()
    {
        final SharedLog<String> log = SharedLog.create("closed-count", Codecs.STRING);
        assertEquals(0, log.sleepingReaders());
        log.close();
        assertThrows(ResourceClosedException.class, log::sleepingReaders);
    }

    @Test
    void shouldWaitPastChroniclesLockTimeoutForALiveClaimHolder() throws Exception
    {
        try (SharedLog<String> holder = SharedLog.create(logs.resolve("live"), Codecs.STRING, new SharedLogOptions());
             SharedLog<String> waiter = SharedLog.open(logs.resolve("live"), Codecs.STRING, new SharedLogOptions());
             LogReader<String> reader = holder.reader())
        {
            final byte[] text = "claimed".getBytes(StandardCharsets.UTF_8);
            final int offset = holder.tryClaim(text.length);
            final CompletableFuture<Long> appended = CompletableFuture.supplyAsync(() -> waiter.append("waited"));
            // Chronicle's lock times out after 1.5 s against a live holder; the appender must go on waiting
            Eventually.await("the append waited out one of Chronicle's lock timeouts", Duration.ofSeconds(20),
                () -> waiter.lockTimeoutsWaited() > 0 || appended.isDone());
            assertFalse(appended.isDone(), "the append went past a live claim holder");
            holder.claimBuffer().putBytes(offset, text);
            holder.commit(offset);
            assertTrue(appended.get(10, TimeUnit.SECONDS) > holder.lastAppendedIndex());
            assertEquals("claimed", reader.poll());
            assertEquals("waited", reader.poll());
        }
    }

    @Test
    void shouldGiveUpAClaimInTimeWhileAnotherHandleHoldsOne() throws Exception
    {
        try (SharedLog<String> holder = SharedLog.create(logs.resolve("claimed"), Codecs.STRING,
                new SharedLogOptions());
             SharedLog<String> other = SharedLog.open(logs.resolve("claimed"), Codecs.STRING, new SharedLogOptions());
             LogReader<String> reader = holder.reader())
        {
            final byte[] text = "first".getBytes(StandardCharsets.UTF_8);
            final int offset = holder.tryClaim(text.length);
            assertTrue(offset >= 0);
            // before: both waited until the holder committed, whatever their time
            assertTimeoutPreemptively(Duration.ofSeconds(15), () ->
            {
                assertTrue(other.tryClaim(4) < 0, "tryClaim while another handle holds a claim");
                assertTrue(other.claim(4, 200, TimeUnit.MILLISECONDS) < 0, "claim past its timeout");
            }, "a claim waited past its time for another handle's claim");
            holder.claimBuffer().putBytes(offset, text);
            holder.commit(offset);
            final byte[] second = "second".getBytes(StandardCharsets.UTF_8);
            final int next = other.claim(second.length, 10, TimeUnit.SECONDS);
            assertTrue(next >= 0, "claim once the holder committed");
            other.claimBuffer().putBytes(next, second);
            other.commit(next);
            assertEquals("first", reader.poll());
            assertEquals("second", reader.poll());
        }
    }

    @Test
    void shouldRefuseAClaimUsedAfterItsLogClosedAndLeaveNoLockHeld() throws Exception
    {
        final SharedLog<String> log = SharedLog.create(logs.resolve("closedclaim"), Codecs.STRING,
            new SharedLogOptions());
        try (SharedLog<String> other = SharedLog.open(logs.resolve("closedclaim"), Codecs.STRING,
                new SharedLogOptions());
             LogReader<String> reader = other.reader())
        {
            final int offset = log.tryClaim(8);
            assertTrue(offset >= 0);
            log.close(); // by the thread holding the claim: it is rolled back
            // before: the buffer still pointed into the freed store, and the commit left the claim's lock held
            assertThrows(ResourceClosedException.class, log::claimBuffer);
            assertThrows(ResourceClosedException.class, () -> log.commit(offset));
            assertThrows(ResourceClosedException.class, () -> log.abort(offset));
            assertTimeoutPreemptively(Duration.ofSeconds(10), () ->
            {
                assertInstanceOf(ResourceClosedException.class, CompletableFuture.supplyAsync(() ->
                {
                    try
                    {
                        log.append("late");
                        return null;
                    }
                    catch (final RuntimeException ex)
                    {
                        return ex;
                    }
                }).get(), "another thread's append on the closed handle");
                other.append("after");
            }, "a lock of the rolled-back claim was left held");
            assertEquals("after", reader.poll(), "the rolled-back claim added no record");
        }
    }

    /**
     * A close from another thread while this thread holds a claim: the close waits for the claim, whose next call
     * (a commit, an abort, or a look at its buffer) rolls it back and lets go. Before, the commit threw before letting go of the claim's lock: the close
     * waited for good, and so did every appender of the log, in every process.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"commit", "claimBuffer", "sync", "lastIndex"})
    void shouldLetACloseOfAnotherThreadEndWhenTheClaimHolderCommits(final String call) throws Exception
    {
        final SharedLog<String> log = SharedLog.create(logs.resolve("crossclose-" + call), Codecs.STRING,
            new SharedLogOptions());
        try (SharedLog<String> other = SharedLog.open(logs.resolve("crossclose-" + call), Codecs.STRING,
                new SharedLogOptions());
             LogReader<String> reader = other.reader())
        {
            final int offset = log.tryClaim(8);
            assertTrue(offset >= 0);
            final Thread[] closer = new Thread[1];
            final CompletableFuture<Void> closed = new CompletableFuture<>();
            closer[0] = Thread.ofPlatform().start(() ->
            {
                log.close();
                closed.complete(null);
            });
            Eventually.await("the close waits for the claim", Duration.ofSeconds(10), () ->
                closer[0].getState() == Thread.State.WAITING && log.isClosed());
            // the claim's next call, whichever it is, lets go of it (a claimBuffer that throws leaves the caller
            // no reason to commit or abort)
            assertThrows(ResourceClosedException.class, () ->
            {
                switch (call)
                {
                    case "commit" -> log.commit(offset);
                    case "claimBuffer" -> log.claimBuffer();
                    case "sync" -> log.sync();
                    default -> log.lastIndex();
                }
            });
            closed.get(20, TimeUnit.SECONDS);
            other.append("after");
            assertEquals("after", reader.poll(10, TimeUnit.SECONDS), "the rolled-back claim added no record");
        }
    }

    @Test
    void shouldAppendBatchesInOrder()
    {
        try (SharedLog<Integer> log = SharedLog.create("batch", Codecs.INTEGER);
             LogReader<Integer> reader = log.reader())
        {
            assertEquals(-1, log.appendBatch(List.of()));
            final long last = log.appendBatch(List.of(1, 2, 3));
            assertEquals(last, log.lastIndex());
            assertEquals(3, reader.drain((buffer, offset, length) -> assertEquals(4, length), 10));
        }
    }

    @Test
    void shouldRedeliverARecordWhoseHandlerThrew() throws InterruptedException
    {
        try (SharedLog<Long> log = SharedLog.create("redeliver", Codecs.LONG);
             LogReader<Long> reader = log.reader("worker"))
        {
            log.append(7L);
            assertThrows(IllegalStateException.class, () -> reader.receive(
                (buffer, offset, length) ->
                {
                    throw new IllegalStateException("handler failed");
                }, 0, TimeUnit.SECONDS));
            final long[] seen = new long[1];
            assertTrue(reader.receive((buffer, offset, length) -> seen[0] = buffer.getLong(offset), 0, TimeUnit.SECONDS));
            assertEquals(7L, seen[0]);
        }
    }

    @Test
    void shouldWakeBlockedReaderWhenAnotherThreadAppends() throws Exception
    {
        try (SharedLog<String> log = SharedLog.create("wake", Codecs.STRING);
             LogReader<String> reader = log.reader())
        {
            assertNull(reader.poll(10, TimeUnit.MILLISECONDS));
            final CompletableFuture<String> taken = CompletableFuture.supplyAsync(() ->
            {
                try
                {
                    return reader.take();
                }
                catch (final InterruptedException ex)
                {
                    throw new IllegalStateException(ex);
                }
            });
            Eventually.await("the reader asleep", Duration.ofSeconds(10), () -> log.sleepingReaders() == 1);
            log.append("wake up");
            assertEquals("wake up", taken.get(10, TimeUnit.SECONDS));
            Eventually.await("the reader awake", Duration.ofSeconds(10), () -> log.sleepingReaders() == 0);
        }
    }

    @Test
    void shouldPollWithTheGivenIdleStrategyInsteadOfSleeping() throws Exception
    {
        try (SharedLog<String> log = SharedLog.create(logs.resolve("spin"), Codecs.STRING,
            new SharedLogOptions().idleStrategy(org.agrona.concurrent.BusySpinIdleStrategy.INSTANCE));
             LogReader<String> reader = log.reader())
        {
            assertNull(reader.poll(20, TimeUnit.MILLISECONDS));
            final CompletableFuture<String> taken = CompletableFuture.supplyAsync(() ->
            {
                try
                {
                    return reader.poll(10, TimeUnit.SECONDS);
                }
                catch (final InterruptedException ex)
                {
                    throw new IllegalStateException(ex);
                }
            });
            log.append("spun");
            assertEquals("spun", taken.get(10, TimeUnit.SECONDS));
            assertEquals(0, log.sleepingReaders());
        }
    }

    @Test
    void shouldReleaseBlockedReaderOnClose() throws Exception
    {
        final SharedLog<String> log = SharedLog.create("close", Codecs.STRING);
        final LogReader<String> reader = log.reader();
        final CompletableFuture<Throwable> failure = CompletableFuture.supplyAsync(() ->
        {
            try
            {
                reader.take();
                return null;
            }
            catch (final Throwable ex)
            {
                return ex;
            }
        });
        Eventually.await("the reader asleep", Duration.ofSeconds(10), () -> log.sleepingReaders() == 1);
        log.close();
        assertEquals(ResourceClosedException.class, failure.get(10, TimeUnit.SECONDS).getClass());
        assertTrue(reader.isClosed());
        assertThrows(ResourceClosedException.class, () -> log.append("closed"));
        assertThrows(ResourceClosedException.class, reader::poll);
        log.close();
    }

    @Test
    void shouldRefuseCreateOverExistingAndOpenOfMissingLog()
    {
        SharedLog.create("exists", Codecs.STRING).close();
        final ResourceExistsException exists =
            assertThrows(ResourceExistsException.class, () -> SharedLog.create("exists", Codecs.STRING));
        assertTrue(exists.getMessage().contains(logs.resolve("exists").toString()), exists.getMessage());
        final ResourceNotFoundException missing =
            assertThrows(ResourceNotFoundException.class, () -> SharedLog.open("missing", Codecs.STRING));
        assertTrue(missing.getMessage().startsWith("no log in " + logs.resolve("missing")), missing.getMessage());
        SharedLog.openOrCreate("exists", Codecs.STRING).close();
    }

    @Test
    void shouldLetOneOfTwoRacingCreatorsWin() throws Exception
    {
        for (int round = 0; round < 5; round++)
        {
            final java.nio.file.Path dir = logs.resolve("race" + round);
            final java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
            final java.util.function.Supplier<Object> create = () ->
            {
                try
                {
                    start.await();
                    return SharedLog.create(dir, Codecs.STRING, new SharedLogOptions());
                }
                catch (final Exception ex)
                {
                    return ex;
                }
            };
            final CompletableFuture<Object> first = CompletableFuture.supplyAsync(create);
            final Object second = create.get();
            final List<Object> outcomes = List.of(first.get(10, TimeUnit.SECONDS), second);
            assertEquals(1, outcomes.stream().filter((o) -> o instanceof SharedLog).count(), outcomes.toString());
            assertEquals(1, outcomes.stream().filter((o) -> o instanceof ResourceExistsException).count(),
                outcomes.toString());
            for (final Object outcome : outcomes)
            {
                if (outcome instanceof SharedLog<?> log)
                {
                    log.close();
                }
            }
        }
    }

    @Test
    void shouldRefuseAnotherRollCycleAtOpen()
    {
        SharedLog.create(logs.resolve("roll"), Codecs.STRING, new SharedLogOptions().rollCycle(LogRollCycle.HOURLY))
            .close();
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () ->
            SharedLog.open(logs.resolve("roll"), Codecs.STRING, new SharedLogOptions().rollCycle(LogRollCycle.DAILY)));
        assertEquals("the log in " + logs.resolve("roll") + " rolls HOURLY, not DAILY: rollCycle is fixed when a " +
            "log is created; leave it unset to open the log", ex.getMessage());
        try (SharedLog<String> log = SharedLog.open(logs.resolve("roll"), Codecs.STRING, new SharedLogOptions()))
        {
            assertEquals(LogRollCycle.HOURLY, log.rollCycle());
        }
    }

    @Test
    void shouldKeepOnlyTheRetainedBytes()
    {
        final long[] now = {1_700_000_000_000L};
        final SharedLogOptions options = new SharedLogOptions().rollCycle(LogRollCycle.SECONDLY).clock(() -> now[0]);
        final java.nio.file.Path dir = logs.resolve("bytes");
        try (SharedLog<Long> log = SharedLog.create(dir, Codecs.LONG, options))
        {
            for (long cycle = 0; cycle < 4; cycle++)
            {
                log.append(cycle);
                now[0] += 1_000;
            }
            log.append(4L);
        }
        final List<java.nio.file.Path> cycles = io.ipckit.durable.internal.LogFiles.cycleFiles(dir);
        assertEquals(5, cycles.size());
        final long cycleBytes = io.ipckit.durable.internal.CycleFileEnd.usedBytes(cycles.getFirst());
        try (SharedLog<Long> log = SharedLog.open(dir, Codecs.LONG,
            new SharedLogOptions().retainBytes(2 * cycleBytes + 1).clock(() -> now[0]));
             LogReader<Long> reader = log.reader())
        {
            // retention runs at open: two files' worth of bytes are kept
            assertEquals(2, io.ipckit.durable.internal.LogFiles.cycleFiles(dir).size());
            assertEquals(3L, reader.poll());
            assertEquals(4L, reader.poll());
        }
    }

    /**
     * Before, retention counted a cycle file's length, which Chronicle sets to a whole block (80 MiB) however little
     * is written: a limit of 8 MiB kept only the newest of five files of one record each.
     */
    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldCountTheBytesACycleFileUsesNotItsSparseLength()
    {
        final long[] now = {1_700_000_000_000L};
        final java.nio.file.Path dir = logs.resolve("used");
        try (SharedLog<Long> log = SharedLog.create(dir, Codecs.LONG,
            new SharedLogOptions().rollCycle(LogRollCycle.SECONDLY).clock(() -> now[0])))
        {
            for (long cycle = 0; cycle < 5; cycle++)
            {
                log.append(cycle);
                now[0] += 1_000;
            }
        }
        final List<java.nio.file.Path> cycles = io.ipckit.durable.internal.LogFiles.cycleFiles(dir);
        assertEquals(5, cycles.size());
        final long sparseLength = cycles.getFirst().toFile().length();
        final long used = io.ipckit.durable.internal.CycleFileEnd.usedBytes(cycles.getFirst());
        assertTrue(5 * used < 8 << 20 && sparseLength > 8 << 20, "used " + used + ", length " + sparseLength);
        try (SharedLog<Long> log = SharedLog.open(dir, Codecs.LONG,
            new SharedLogOptions().retainBytes(8 << 20).clock(() -> now[0]));
             LogReader<Long> reader = log.reader())
        {
            assertEquals(cycles, io.ipckit.durable.internal.LogFiles.cycleFiles(dir));
            assertEquals(0L, reader.poll());
        }
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldCountAnAppendedRecordsFramedBytesAsUsed()
    {
        try (SharedLog<String> log = SharedLog.create(logs.resolve("grow"), Codecs.STRING, new SharedLogOptions()))
        {
            log.append("first");
            final java.nio.file.Path cycle = log.cycleFiles().getFirst();
            final long before = io.ipckit.durable.internal.CycleFileEnd.usedBytes(cycle);
            log.append(new UnsafeBuffer(new byte[100]), 0, 100);
            // Chronicle's 4-byte header, the record's length word, then its 100 bytes
            assertEquals(before + 4 + 4 + 100, io.ipckit.durable.internal.CycleFileEnd.usedBytes(cycle));
        }
    }

    @Test
    void shouldFindChroniclesFlagsAndKeepItsAnalyticsOff()
    {
        assertEquals(List.of(), io.ipckit.durable.internal.ChronicleFlags.missing());
        SharedLog.create("flags", Codecs.STRING).close();
        assertEquals("true", System.getProperty(io.ipckit.durable.internal.ChronicleFlags.ANALYTICS_DISABLE_PROP_NAME));
    }

    @Test
    void shouldRefuseInvalidOptions()
    {
        assertThrows(IllegalArgumentException.class, () -> new SharedLogOptions().retainCycles(-1));
        assertThrows(IllegalArgumentException.class, () -> new SharedLogOptions().retainBytes(-1));
        assertThrows(NullPointerException.class, () -> new SharedLogOptions().syncMode(null));
    }

    /**
     * Before, a negative retention given by property was kept unchecked, and a bad roll cycle failed with
     * {@code No enum constant}, naming no property.
     */
    @Test
    void shouldRefuseAPropertyDefaultItsSetterRefuses()
    {
        for (final String[] bad : new String[][] {
            {SharedLogOptions.RETAIN_CYCLES_PROP_NAME, "-1", "retainCycles must be 0 (keep all) or positive: -1"},
            {SharedLogOptions.RETAIN_BYTES_PROP_NAME, "-1", "retainBytes must be 0 (no limit) or positive: -1"},
            {SharedLogOptions.ROLL_CYCLE_PROP_NAME, "YEARLY", "not one of " + Arrays.toString(LogRollCycle.values())}})
        {
            assertEquals("-D" + bad[0] + "=" + bad[1] + ": " + bad[2] + "; fix the property or remove it",
                SystemProperties.refusal(bad[0], bad[1], SharedLogOptions::new));
        }
    }

    @Test
    void shouldSyncEveryAppendWhenAsked()
    {
        try (SharedLog<String> log = SharedLog.create(logs.resolve("sync"), Codecs.STRING,
            new SharedLogOptions().syncMode(LogSyncMode.EVERY_APPEND));
             LogReader<String> reader = log.reader())
        {
            log.sync(); // nothing appended yet: nothing to force
            log.append("durable");
            log.sync();
            assertEquals("durable", reader.poll());
        }
    }

    /**
     * Before, a sync forced only the current cycle file: records appended before a roll stayed unforced in the
     * previous file, and the directory, where the new file's entry is, was never forced.
     */
    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldSyncEveryCycleFileWrittenSinceTheLastSyncAndTheDirectory()
    {
        final long[] now = {1_700_000_000_000L};
        try (SharedLog<String> log = SharedLog.create(logs.resolve("rolls"), Codecs.STRING,
            new SharedLogOptions().rollCycle(LogRollCycle.SECONDLY).clock(() -> now[0])))
        {
            final java.nio.file.Path dir = log.directory();
            log.append("a");
            log.sync();
            final java.nio.file.Path first = log.cycleFiles().getFirst();
            assertEquals(List.of(first, dir), log.lastForced()); // the files created with the log appeared
            log.append("b");
            now[0] += 1_000;
            log.append("c");
            now[0] += 1_000;
            log.append("d");
            log.sync();
            final List<java.nio.file.Path> cycles = log.cycleFiles();
            assertEquals(3, cycles.size());
            assertEquals(List.of(cycles.get(0), cycles.get(1), cycles.get(2), dir), log.lastForced());
            log.append("e");
            log.sync();
            assertEquals(List.of(cycles.get(2)), log.lastForced());
        }
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldSyncThePreviousCycleFileAndTheDirectoryOnTheAppendAfterARoll()
    {
        final long[] now = {1_700_000_000_000L};
        try (SharedLog<String> log = SharedLog.create(logs.resolve("every"), Codecs.STRING,
            new SharedLogOptions().rollCycle(LogRollCycle.SECONDLY).syncMode(LogSyncMode.EVERY_APPEND)
                .clock(() -> now[0])))
        {
            log.append("a");
            log.append("b");
            final java.nio.file.Path first = log.cycleFiles().getFirst();
            assertEquals(List.of(first), log.lastForced());
            now[0] += 1_000;
            log.append("c");
            assertEquals(List.of(first, log.cycleFiles().getLast(), log.directory()), log.lastForced());
        }
    }

    @Test
    void shouldKeepOnlyTheRetainedCycles()
    {
        final long[] now = {1_700_000_000_000L};
        final SharedLogOptions options = new SharedLogOptions().rollCycle(LogRollCycle.SECONDLY).retainCycles(2)
            .clock(() -> now[0]);
        try (SharedLog<Long> log = SharedLog.create(logs.resolve("retain"), Codecs.LONG, options))
        {
            for (long cycle = 0; cycle < 5; cycle++)
            {
                log.append(cycle * 10);
                log.append(cycle * 10 + 1);
                now[0] += 1_000;
            }
            assertEquals(2, io.ipckit.durable.internal.LogFiles.cycleFiles(log.directory()).size());
            assertEquals(4, log.reader().lag()); // counted across the two cycles left
            try (LogReader<Long> reader = log.reader())
            {
                assertEquals(30L, reader.poll());
                assertEquals(31L, reader.poll());
                assertEquals(40L, reader.poll());
                assertEquals(41L, reader.poll());
                assertNull(reader.poll());
            }
        }
    }
}
