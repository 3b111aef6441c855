package io.ipckit.queue;

import io.ipckit.core.codec.Codecs;
import io.ipckit.core.exceptions.ResourceClosedException;
import io.ipckit.core.exceptions.WrongResourceKindException;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.SystemProperties;
import io.ipckit.core.testing.TestDirectory;
import io.ipckit.pipe.OwnEncodingCodec;
import io.ipckit.pipe.OwnEncodingCodec.Blob;
import io.ipckit.pipe.Pipe;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import static io.ipckit.pipe.Expect.thrown;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class QueueTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldPassElementsBothWaysWithTheLowCpuWaitThatSleepsAtOnce() throws Exception
    {
        thrown(IllegalArgumentException.class, () -> new QueueOptions().spinBeforeSleep(-5, TimeUnit.NANOSECONDS),
            "spinBeforeSleep must be 0 or more, got -5 NANOSECONDS");
        assertEquals(100, new QueueOptions().spinBeforeSleep(TimeUnit.MICROSECONDS), "the default");
        final int rounds = 2_000;
        try (SharedQueue<Long> pings = SharedQueue.create("low-cpu-pings", Codecs.LONG, sleepAtOnce());
            SharedQueue<Long> pongs = SharedQueue.create("low-cpu-pongs", Codecs.LONG, sleepAtOnce().maxElements(1));
            LifoQueue<Long> lifo = LifoQueue.create("low-cpu-lifo", Codecs.LONG, sleepAtOnce()))
        {
            final Thread echo = new Thread(() ->
            {
                try
                {
                    for (int i = 0; i < rounds; i++)
                    {
                        pongs.put(pings.take() + 1); // a bound of one: the put waits for room too
                    }
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            });
            echo.start();
            for (long i = 0; i < rounds; i++)
            {
                pings.put(i);
                assertEquals(i + 1, pongs.poll(10, TimeUnit.SECONDS), "each wake-up arrives");
            }
            echo.join(10_000);
            assertFalse(echo.isAlive());
            lifo.put(7L);
            assertEquals(7L, lifo.poll(10, TimeUnit.SECONDS));
        }
    }

    /**
     * @return new options whose waits sleep at once, without spinning first (a fresh object: the setters change it).
     */
    private static QueueOptions sleepAtOnce()
    {
        return new QueueOptions().spinBeforeSleep(0, TimeUnit.NANOSECONDS);
    }

    @ParameterizedTest(name = "fifoAcrossProducers {0}")
    @ValueSource(booleans = {false, true})
    void shouldWakeAConsumerThatSleepsAtOnceWithEveryCommitOfAFastClaim(final boolean ordered) throws Exception
    {
        final int rounds = 2_000;
        try (SharedQueue<Long> pings = SharedQueue.create("claim-pings", Codecs.LONG, ordered ?
                sleepAtOnce().producerLanes(2).fifoAcrossProducers(true) : sleepAtOnce());
            SharedQueue<Long> pongs = SharedQueue.create("claim-pongs", Codecs.LONG, sleepAtOnce()))
        {
            final Thread echo = new Thread(() ->
            {
                try
                {
                    for (int i = 0; i < rounds; i++)
                    {
                        pongs.put(pings.take() + 1);
                    }
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            });
            echo.start();
            int fastClaims = 0;
            for (long i = 0; i < rounds; i++)
            {
                final int index = pings.tryClaim(Long.BYTES);
                assertTrue(index >= 0, "room for a claim: the queue holds one element at most here");
                Codecs.LONG.encode(i, pings.claimBuffer(), index);
                fastClaims += pings.fifo().fastClaimHeld() ? 1 : 0;
                // the consumer sleeps at once: only the commit's ring wakes it at once (an ordered queue's consumer
                // also wakes at intervals to look for tickets lost with their producer, so there the test shows the
                // fast path and the values, and the plain queue shows the ring)
                pings.commit(index);
                assertEquals(i + 1, pongs.poll(10, TimeUnit.SECONDS), "each wake-up arrives");
            }
            echo.join(10_000);
            assertFalse(echo.isAlive());
            assertTrue(fastClaims >= rounds - 1, "the claims after the first take the fast path: " + fastClaims);
        }
    }

    @Test
    void shouldKeepTheLocksOfALoneProducerAndConsumerAndHandThemOverToAnotherHandleInOrder() throws Exception
    {
        final int threshold = io.ipckit.core.internal.kit.BiasedOwnerLock.INITIAL_BIAS_THRESHOLD;
        try (SharedQueue<Integer> queue = SharedQueue.create("bias", Codecs.INTEGER, new QueueOptions());
            SharedQueue<Integer> other = SharedQueue.open("bias", Codecs.INTEGER))
        {
            int next = 0;
            int expected = 0;
            for (int i = 0; i <= threshold + 1; i++)
            {
                queue.put(next++);
                assertEquals(expected++, queue.take());
            }
            assertTrue(queue.fifo().producerLockBiased(), "a lone producer keeps the lock between puts");
            assertTrue(queue.fifo().consumerLockBiased(), "a lone consumer keeps its lock between takes");
            queue.put(next++);
            other.put(next++); // revokes the first handle's bias, behind its element
            queue.put(next++);
            assertFalse(queue.fifo().producerLockBiased());
            assertEquals(expected++, other.take()); // revokes the consumer bias
            assertEquals(expected++, queue.take());
            assertFalse(queue.fifo().consumerLockBiased(), "the first handle found its bias gone");
            assertEquals(expected++, other.take());
            assertNull(queue.poll());
            assertEquals(next, expected);
        }
    }

    @Test
    void shouldGiveBackALockTakenFromABiasWhenItsLaneEmptiesMeanwhile() throws Exception
    {
        try (SharedQueue<Integer> a = SharedQueue.create("taking", Codecs.INTEGER, new QueueOptions());
            SharedQueue<Integer> b = SharedQueue.open("taking", Codecs.INTEGER))
        {
            passBiasThreshold(a, a, (i) -> i);
            assertTrue(a.fifo().consumerLockBiased());
            a.put(-1);
            final ExecutorService threads = Executors.newFixedThreadPool(2);
            try
            {
                final CountDownLatch inside = new CountDownLatch(1);
                final Future<Boolean> first = threads.submit(() -> a.receive((buffer, offset, length) ->
                {
                    inside.countDown();
                    // the biased consumer stays in its hold until the other handle has taken the lock word
                    Eventually.await("b waits on the lock word", Duration.ofSeconds(20),
                        () -> b.fifo().consumerTakingPending(0));
                }, 20, TimeUnit.SECONDS));
                assertTrue(inside.await(20, TimeUnit.SECONDS));
                final Future<Integer> second = threads.submit(() -> b.poll(30, TimeUnit.SECONDS));
                assertTrue(first.get(30, TimeUnit.SECONDS), "a took -1");
                // the lane is empty now: b gives the word back instead of keeping it while it waits for elements
                Eventually.await("b gave the word back", Duration.ofSeconds(20),
                    () -> !b.fifo().consumerTakingPending(0));
                final List<Integer> seen = new ArrayList<>();
                a.forEach(seen::add); // would wait forever on a word b kept
                assertEquals(List.of(), seen);
                a.put(7);
                assertEquals(7, second.get(30, TimeUnit.SECONDS), "b, still waiting, gets the next element");
            }
            finally
            {
                threads.shutdownNow();
            }
        }
    }

    @Test
    void shouldRefuseASourceRangeOutsideItsBufferOnTheBiasedFastPathAndStayUsable() throws Exception
    {
        final int threshold = io.ipckit.core.internal.kit.BiasedOwnerLock.INITIAL_BIAS_THRESHOLD;
        try (SharedQueue<byte[]> a = SharedQueue.create("range", Codecs.BYTES, new QueueOptions());
            SharedQueue<byte[]> b = SharedQueue.open("range", Codecs.BYTES))
        {
            final UnsafeBuffer heap = new UnsafeBuffer(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
            for (int i = 0; i <= threshold + 1; i++)
            {
                assertTrue(a.offerBytes(heap, 0, 8, 0, TimeUnit.SECONDS));
                assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, a.poll());
            }
            assertTrue(a.fifo().producerLockBiased(), "the fast path is the one under test");
            assertThrows(IndexOutOfBoundsException.class, () -> a.offerBytes(heap, 4, 8, 0, TimeUnit.SECONDS));
            assertThrows(IndexOutOfBoundsException.class, () -> a.offerBytes(heap, 0, -1, 0, TimeUnit.SECONDS));
            assertNull(a.poll(), "nothing was published");
            // the refused put left no hold behind: another handle takes the lock from the bias at once
            assertTrue(b.offer(new byte[] {9}, 20, TimeUnit.SECONDS));
            assertTrue(a.offerBytes(heap, 2, 3, 0, TimeUnit.SECONDS), "a heap buffer's slice, on the general path now");
            assertArrayEquals(new byte[] {9}, a.poll());
            assertArrayEquals(new byte[] {3, 4, 5}, a.poll());
        }
    }

    @Test
    void shouldTakeLongMinValueAsDoNotWait() throws Exception
    {
        try (SharedQueue<byte[]> queue = SharedQueue.create("min-timeout", Codecs.BYTES, new QueueOptions()))
        {
            final UnsafeBuffer one = new UnsafeBuffer(new byte[] {1, 2});
            final List<Integer> lengths = new ArrayList<>();
            for (int i = 0; i < 3; i++) // the first call takes the gate, the next ones enter it as its sole thread
            {
                assertTrue(queue.offerBytes(one, 0, 1 + i % 2, Long.MIN_VALUE, TimeUnit.NANOSECONDS));
                assertEquals(1, queue.offerBatch(one, new int[] {0}, new int[] {2}, 0, 1, Long.MIN_VALUE, TimeUnit.NANOSECONDS));
                assertTrue(queue.receive((buffer, offset, length) -> lengths.add(length), Long.MIN_VALUE, TimeUnit.NANOSECONDS));
                assertTrue(queue.receive((buffer, offset, length) -> lengths.add(length), Long.MIN_VALUE, TimeUnit.NANOSECONDS));
            }
            assertEquals(List.of(1, 2, 2, 2, 1, 2), lengths);
            assertNull(queue.poll(), "and no call was left inside the gate");
        }
    }

    @Test
    void shouldKeepTheMappingForAHandlerStillRunningWhenCloseStopsWaitingForIt() throws Exception
    {
        final SharedQueue<byte[]> queue = SharedQueue.create("slow-handler", Codecs.BYTES, new QueueOptions());
        try
        {
            queue.put(new byte[] {1, 2, 3});
            final CountDownLatch inside = new CountDownLatch(1);
            final CountDownLatch release = new CountDownLatch(1);
            final AtomicReference<byte[]> seen = new AtomicReference<>();
            final Thread consumer = new Thread(() -> queue.drain((buffer, offset, length) ->
            {
                inside.countDown();
                try
                {
                    assertTrue(release.await(60, TimeUnit.SECONDS));
                }
                catch (final InterruptedException ex)
                {
                    throw new IllegalStateException(ex);
                }
                final byte[] copy = new byte[length];
                buffer.getBytes(offset, copy); // after close returned: unmapped memory would crash the JVM here
                seen.set(copy);
            }, 1));
            consumer.start();
            assertTrue(inside.await(20, TimeUnit.SECONDS));
            queue.close(); // gives up waiting for the handler after 5 s
            release.countDown();
            consumer.join(TimeUnit.SECONDS.toMillis(20));
            assertFalse(consumer.isAlive());
            assertArrayEquals(new byte[] {1, 2, 3}, seen.get());
            thrown(ResourceClosedException.class, queue::poll, "closed");
        }
        finally
        {
            queue.unlink();
            queue.close();
        }
    }

    @Test
    void shouldBoundByBytesAsWellAsByElements() throws Exception
    {
        try (SharedQueue<byte[]> queue = SharedQueue.create("bytes", Codecs.BYTES,
            new QueueOptions().capacityBytes(1024)))
        {
            int queued = 0;
            while (queue.offer(new byte[100]))
            {
                queued++;
            }
            assertTrue(queued >= 8 && queued <= 10, "1 KiB holds about nine 100-byte elements: " + queued);
            assertEquals(Integer.MAX_VALUE, queue.remainingCapacity(), "no element bound");
            assertFalse(queue.offer(new byte[100], 50, TimeUnit.MILLISECONDS));
            assertEquals(100, queue.take().length);
            assertTrue(queue.offer(new byte[100], 1, TimeUnit.SECONDS));
            assertEquals(queued, queue.size());
        }
    }

    /**
     * A create refuses the options its layout cannot apply, naming them, rather than ignore them: slot queues have
     * no byte ring and no lanes, FIFO queues have no slots. Nothing is created.
     */
    @Test
    void shouldRefuseOptionsTheCreatedLayoutCannotApply()
    {
        thrown(IllegalArgumentException.class, () -> LifoQueue.create("lifo-ring", Codecs.LONG,
            new QueueOptions().capacityBytes(4096)), "QueueOptions.capacityBytes", "LIFO queue \"lifo-ring\"");
        thrown(IllegalArgumentException.class, () -> LifoQueue.create("lifo-lanes", Codecs.LONG,
            new QueueOptions().producerLanes(2)), "QueueOptions.producerLanes", "LIFO queue \"lifo-lanes\"");
        thrown(IllegalArgumentException.class, () -> SharedPriorityQueue.create("prio-ring", Codecs.LONG,
            Long::longValue, new QueueOptions().capacityBytes(4096)), "QueueOptions.capacityBytes", "priority queue");
        thrown(IllegalArgumentException.class, () -> SharedPriorityQueue.create("prio-lanes", Codecs.LONG,
            Long::longValue, new QueueOptions().producerLanes(1)), "QueueOptions.producerLanes", "priority queue");
        thrown(IllegalArgumentException.class, () -> SharedQueue.create("fifo-slots", Codecs.LONG,
            new QueueOptions().slotBytes(64)), "QueueOptions.slotBytes", "FIFO queue \"fifo-slots\"");
        thrown(IllegalArgumentException.class, () -> JoinableQueue.create("joinable-slots", Codecs.LONG,
            new QueueOptions().slotBytes(64)), "QueueOptions.slotBytes");
        thrown(IllegalArgumentException.class, () -> SimpleQueue.create("simple-slots", Codecs.LONG,
            new QueueOptions().slotBytes(64)), "QueueOptions.slotBytes");
        // slots past 2 GiB: before, created, and then every poll failed with an IndexOutOfBoundsException
        thrown(IllegalArgumentException.class, () -> LifoQueue.create("lifo-huge", Codecs.LONG,
            new QueueOptions().maxElements(2_000_000)), "LIFO queue \"lifo-huge\" would need 2000000 slots",
            "use a smaller maxElements or slotBytes");
        thrown(IllegalArgumentException.class, () -> SharedPriorityQueue.create("prio-huge", Codecs.LONG,
            Long::longValue, new QueueOptions().maxElements(1 << 20).slotBytes(4096)), "over 2147483639");
        assertEquals(List.of(), dir.list().stream().filter((f) -> !f.startsWith(".ipckit-")).toList(),
            "nothing was created");
        try (LifoQueue<Long> lifo = LifoQueue.create("lifo-ok", Codecs.LONG,
            new QueueOptions().maxElements(4).slotBytes(16).maxMessageBytes(8));
            SharedQueue<Long> fifo = SharedQueue.create("fifo-ok", Codecs.LONG,
                new QueueOptions().capacityBytes(4096).producerLanes(1)))
        {
            assertTrue(lifo.offer(1L));
            assertTrue(fifo.offer(2L));
        }
    }

    /**
     * Before, a spin given by property that was not a number was ignored, and a negative one was taken as 0.
     */
    @Test
    void shouldRefuseASpinDefaultItsSetterRefuses()
    {
        assertEquals("-D" + QueueOptions.SPIN_BEFORE_SLEEP_PROP_NAME + "=1ms: not a whole number; fix the property " +
            "or remove it", SystemProperties.refusal(QueueOptions.SPIN_BEFORE_SLEEP_PROP_NAME, "1ms", QueueOptions::new));
        assertEquals("-D" + QueueOptions.SPIN_BEFORE_SLEEP_PROP_NAME + "=-5: spinBeforeSleep must be 0 or more, got -5 " +
            "NANOSECONDS; fix the property or remove it",
            SystemProperties.refusal(QueueOptions.SPIN_BEFORE_SLEEP_PROP_NAME, "-5", QueueOptions::new));
        System.setProperty(QueueOptions.SPIN_BEFORE_SLEEP_PROP_NAME, "2500");
        try
        {
            assertEquals(2500, new QueueOptions().spinBeforeSleep(TimeUnit.NANOSECONDS));
        }
        finally
        {
            System.clearProperty(QueueOptions.SPIN_BEFORE_SLEEP_PROP_NAME);
        }
    }

    @Test
    void shouldRefuseOptionsFixedAtCreationOnOpen()
    {
        try (SharedQueue<String> queue = SharedQueue.create("fixed", Codecs.STRING, new QueueOptions()))
        {
            thrown(IllegalArgumentException.class,
                () -> SharedQueue.open("fixed", Codecs.STRING, new QueueOptions().capacityBytes(4096)),
                "QueueOptions.capacityBytes", "fixed");
            thrown(IllegalArgumentException.class,
                () -> SharedQueue.open("fixed", Codecs.STRING, new QueueOptions().maxElements(3)),
                "QueueOptions.maxElements");
            thrown(IllegalArgumentException.class,
                () -> SharedQueue.open("fixed", Codecs.STRING, new QueueOptions().maxMessageBytes(3)),
                "QueueOptions.maxMessageBytes");
            thrown(IllegalArgumentException.class,
                () -> SharedQueue.open("fixed", Codecs.STRING, new QueueOptions().slotBytes(64)),
                "QueueOptions.slotBytes");
            thrown(IllegalArgumentException.class,
                () -> SharedQueue.open("fixed", Codecs.STRING, new QueueOptions().producerLanes(2)),
                "QueueOptions.producerLanes");
            try (SharedQueue<String> other = SharedQueue.open("fixed", Codecs.STRING,
                new QueueOptions().idleStrategy(new org.agrona.concurrent.BusySpinIdleStrategy())))
            {
                assertTrue(queue.offer("the wait strategy applies"));
                assertEquals("the wait strategy applies", other.poll());
            }
        }
    }

    @Test
    void shouldCreateAndOpenEveryQueueTypeWithTheDefaultCodec() throws Exception
    {
        try (SharedQueue<List<String>> queue = SharedQueue.create("plain");
            SharedQueue<List<String>> other = SharedQueue.open("plain");
            SimpleQueue<Integer> simple = SimpleQueue.create("plain-simple");
            JoinableQueue<Long> joinable = JoinableQueue.create("plain-joinable");
            LifoQueue<String> lifo = LifoQueue.create("plain-lifo");
            SharedPriorityQueue<Integer> priority = SharedPriorityQueue.create("plain-priority", (e) -> e))
        {
            queue.put(new ArrayList<>(List.of("a", "b")));
            assertEquals(List.of("a", "b"), other.take());
            simple.put(1);
            try (SimpleQueue<Integer> simpleOther = SimpleQueue.open("plain-simple"))
            {
                assertEquals(1, simpleOther.get());
            }
            joinable.put(2L);
            try (JoinableQueue<Long> joinableOther = JoinableQueue.open("plain-joinable"))
            {
                assertEquals(2L, joinableOther.take());
                joinableOther.taskDone();
            }
            assertTrue(joinable.join(1, TimeUnit.SECONDS));
            lifo.put("x");
            lifo.put("y");
            try (LifoQueue<String> lifoOther = LifoQueue.open("plain-lifo"))
            {
                assertEquals("y", lifoOther.take());
            }
            priority.put(5);
            priority.put(3);
            try (SharedPriorityQueue<Integer> priorityOther = SharedPriorityQueue.open("plain-priority", (e) -> e))
            {
                assertEquals(3, priorityOther.take());
            }
        }
    }

    @Test
    void shouldOfferABatchFromAStartIndex() throws Exception
    {
        try (SharedQueue<Long> queue = SharedQueue.create("batch-start", Codecs.LONG, new QueueOptions()))
        {
            final UnsafeBuffer src = new UnsafeBuffer(new byte[32]);
            for (int i = 0; i < 4; i++)
            {
                src.putLong(i * 8, 10L + i);
            }
            final int[] offsets = {0, 8, 16, 24};
            final int[] lengths = {8, 8, 8, 8};
            assertEquals(2, queue.offerBatch(src, offsets, lengths, 1, 2, 0, TimeUnit.SECONDS));
            assertEquals(11L, queue.poll());
            assertEquals(12L, queue.poll());
            assertNull(queue.poll());
            assertThrows(IndexOutOfBoundsException.class,
                () -> queue.offerBatch(src, offsets, lengths, 3, 2, 0, TimeUnit.SECONDS));
            assertThrows(IndexOutOfBoundsException.class,
                () -> queue.offerBatch(src, offsets, lengths, -1, 1, 0, TimeUnit.SECONDS));
            assertEquals(0, queue.size(), "nothing was sent by the refused batches");
        }
    }

    @Test
    void shouldDropAClaimCommittedWithAnotherIndex() throws Exception
    {
        try (SharedQueue<Long> queue = SharedQueue.create("commit-index", Codecs.LONG, new QueueOptions()))
        {
            final int index = queue.tryClaim(Long.BYTES);
            assertTrue(index >= 0);
            queue.claimBuffer().putLong(index, 1L);
            thrown(IllegalArgumentException.class, () -> queue.commit(index + 8), "whose claim was at", "dropped");
            thrown(IllegalStateException.class, () -> queue.commit(index), "no claim");
            assertNull(queue.poll(), "the dropped claim is never delivered");
            final int next = queue.claim(Long.BYTES, 1, TimeUnit.SECONDS);
            queue.claimBuffer().putLong(next, 2L);
            queue.commit(next);
            assertEquals(2L, queue.poll());
        }
    }

    @Test
    void shouldFinishFastClaimsAsTheGeneralPathFinishesThem() throws Exception
    {
        try (SharedQueue<Long> queue = SharedQueue.create("fast-claims", Codecs.LONG, new QueueOptions());
            SharedQueue<Long> reader = SharedQueue.open("fast-claims", Codecs.LONG))
        {
            queue.put(0L); // the handle now has its lane and its gate's sole thread
            assertEquals(0L, reader.poll());
            finishClaims(queue, reader, () -> queue.fifo().fastClaimHeld(), "fast", false);
        }
    }

    @Test
    void shouldFinishLeanClaimsOfAnExclusiveLaneAsTheGeneralPathFinishesThem() throws Exception
    {
        try (SharedQueue<Long> queue = SharedQueue.create("lean-lane", Codecs.LONG, new QueueOptions().producerLanes(1));
            SharedQueue<Long> reader = SharedQueue.open("lean-lane", Codecs.LONG))
        {
            queue.put(0L); // the handle now holds its exclusive lane
            assertEquals(0L, reader.poll());
            finishClaims(queue, reader, () -> queue.fifo().leanClaimHeld(), "lean", true);
        }
    }

    @Test
    void shouldFinishLeanClaimsOfABiasedProducerAsTheGeneralPathFinishesThem() throws Exception
    {
        try (SharedQueue<Long> queue = SharedQueue.create("lean-claims", Codecs.LONG, new QueueOptions());
            SharedQueue<Long> reader = SharedQueue.open("lean-claims", Codecs.LONG))
        {
            passBiasThreshold(queue, reader, (i) -> (long)i);
            assertTrue(queue.fifo().producerLockBiased(), "the lean path is the one under test");
            finishClaims(queue, reader, () -> queue.fifo().leanClaimHeld(), "lean", false);
        }
    }

    @Test
    void shouldLetTheGateGoWhenTheSoleThreadCommitsAFastClaimMadeThroughTheGateLock() throws Exception
    {
        try (SharedQueue<Long> queue = SharedQueue.create("locked-fast-claim", Codecs.LONG, new QueueOptions());
            SharedQueue<Long> reader = SharedQueue.open("locked-fast-claim", Codecs.LONG))
        {
            queue.put(0L); // this thread is the gate's sole thread
            CompletableFuture.runAsync(() -> queue.offer(1L)).get(10, TimeUnit.SECONDS); // the gate is shared now
            final int index = queue.tryClaim(Long.BYTES);
            assertTrue(index >= 0, "room for the claim");
            assertTrue(queue.fifo().fastClaimHeld(), "the sole thread's claim through the lock took the fast path");
            queue.claimBuffer().putLong(index, 2L);
            queue.commit(index);
            assertTrue(CompletableFuture.supplyAsync(() -> queue.offer(3L)).get(10, TimeUnit.SECONDS),
                "another thread enters the gate after the commit");
            queue.put(4L); // and so does this thread
            for (long expected = 0; expected <= 4; expected++)
            {
                assertEquals(expected, reader.poll());
            }
        }
    }

    /**
     * Puts through {@code producer} and takes through {@code consumer}, one element at a time, past the holds in a
     * row after which a lone handle keeps its locks biased.
     */
    private static <T> void passBiasThreshold(final SharedQueue<T> producer, final SharedQueue<T> consumer,
        final java.util.function.IntFunction<T> element) throws InterruptedException
    {
        for (int i = 0; i <= io.ipckit.core.internal.kit.BiasedOwnerLock.INITIAL_BIAS_THRESHOLD + 1; i++)
        {
            producer.put(element.apply(i));
            assertEquals(element.apply(i), consumer.take());
        }
    }

    /**
     * Claims of {@code queue} made by the path {@code tookPath} tells, finished every way: commit, commit with
     * another index, another thread's commit, abort; then, with a claim outstanding, another handle's put (which
     * waits for it and follows it, unless {@code ownLane}: the claim holds an exclusive lane) and the close of
     * {@code queue}. Leaves {@code queue} closed and nothing to read.
     */
    private static void finishClaims(final SharedQueue<Long> queue, final SharedQueue<Long> reader,
        final BooleanSupplier tookPath, final String path, final boolean ownLane) throws Exception
    {
        final int published = claim(queue, 1L, tookPath, path);
        queue.commit(published);
        assertFalse(tookPath.getAsBoolean());
        assertEquals(1L, reader.poll(), "a " + path + " claim's commit publishes it");

        final int misnamed = claim(queue, 2L, tookPath, path);
        thrown(IllegalArgumentException.class, () -> queue.commit(misnamed + 8), "whose claim was at", "dropped");
        thrown(IllegalStateException.class, () -> queue.commit(misnamed), "no claim");
        assertNull(reader.poll(), "a claim committed with another index is never delivered");

        final int foreign = claim(queue, 3L, tookPath, path);
        final CompletableFuture<Void> other = CompletableFuture.runAsync(() -> queue.commit(foreign));
        final Throwable cause = assertThrows(java.util.concurrent.ExecutionException.class,
            () -> other.get(10, TimeUnit.SECONDS)).getCause();
        assertTrue(cause instanceof IllegalStateException && cause.getMessage().contains("holds no claim"),
            "another thread's commit is refused: " + cause);
        assertTrue(tookPath.getAsBoolean(), "the refused commit left the claim to its thread");
        queue.commit(foreign);
        assertEquals(3L, reader.poll());

        final int aborted = claim(queue, 4L, tookPath, path);
        queue.abort(aborted);
        assertNull(reader.poll(), "an aborted " + path + " claim is never delivered");

        // another handle's put, on the shared lane, comes after the outstanding claim: it waits for a lock the claim
        // holds (the bias's, revoked), or goes to a lane of its own while the claim holds an exclusive one
        final int held = claim(queue, 5L, tookPath, path);
        final CompletableFuture<Boolean> put = CompletableFuture.supplyAsync(() ->
        {
            try
            {
                return reader.offer(6L, 30, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                throw new IllegalStateException(ex);
            }
        });
        if (queue.fifo().producerLockBiased())
        {
            Eventually.await("the other handle waits for the claim's hold", Duration.ofSeconds(20),
                () -> reader.fifo().producerTakingPending());
            assertFalse(put.isDone(), "the lane stays held until the claim's commit");
        }
        queue.commit(held);
        assertTrue(put.get(30, TimeUnit.SECONDS));
        final List<Long> both = List.of(reader.poll(), reader.poll());
        assertTrue(ownLane ? both.containsAll(List.of(5L, 6L)) : both.equals(List.of(5L, 6L)),
            "the claim, and the put that waited for it: " + both);

        queue.put(7L);
        assertFalse(queue.fifo().producerLockBiased(), "no bias is left after another handle's put");
        assertEquals(7L, reader.poll());
        final int orphan = queue.tryClaim(Long.BYTES);
        queue.claimBuffer().putLong(orphan, 8L);
        queue.close();
        thrown(ResourceClosedException.class, () -> queue.commit(orphan), "claim was dropped");
        assertNull(reader.poll(), "a claim outliving its handle is never delivered");
        assertEquals(0, reader.size());
    }

    private static int claim(final SharedQueue<Long> queue, final long value, final BooleanSupplier tookPath,
        final String path)
    {
        final int index = queue.tryClaim(Long.BYTES);
        assertTrue(index >= 0, "room for the claim");
        assertTrue(tookPath.getAsBoolean(), "the claim took the " + path + " path");
        queue.claimBuffer().putLong(index, value);
        return index;
    }

    @Test
    void shouldOfferPythonNamesOnSimpleQueue() throws Exception
    {
        thrown(IllegalArgumentException.class,
            () -> SimpleQueue.create("simple", Codecs.STRING, new QueueOptions().maxElements(1)), "maxElements",
            "no element bound");
        try (SimpleQueue<String> queue = SimpleQueue.create("simple", Codecs.STRING, new QueueOptions());
            SimpleQueue<String> other = SimpleQueue.open("simple", Codecs.STRING))
        {
            assertTrue(queue.empty());
            queue.put("a");
            queue.put("b");
            assertFalse(other.empty());
            assertEquals("a", other.get());
            assertEquals("b", other.get(1, TimeUnit.SECONDS));
            assertNull(other.get(10, TimeUnit.MILLISECONDS));
        }
    }

    @Test
    void shouldPassElementsOfAnySizeAndKeepOrder() throws Exception
    {
        try (SharedQueue<byte[]> queue = SharedQueue.create("sizes", Codecs.BYTES,
            new QueueOptions().capacityBytes(1024)))
        {
            final List<byte[]> sent = new ArrayList<>();
            final CompletableFuture<List<byte[]>> received = CompletableFuture.supplyAsync(() ->
            {
                final List<byte[]> out = new ArrayList<>();
                try
                {
                    for (int i = 0; i < 40; i++)
                    {
                        out.add(queue.take());
                    }
                }
                catch (final InterruptedException ex)
                {
                    throw new IllegalStateException(ex);
                }
                return out;
            });
            for (int i = 0; i < 40; i++)
            {
                final byte[] element = new byte[ThreadLocalRandom.current().nextInt(0, 5000)];
                ThreadLocalRandom.current().nextBytes(element);
                sent.add(element);
                queue.put(element);
            }
            final List<byte[]> got = received.get(20, TimeUnit.SECONDS);
            for (int i = 0; i < sent.size(); i++)
            {
                assertArrayEquals(sent.get(i), got.get(i));
            }
        }
    }

    @Test
    void shouldOfferZeroCopyClaimsBatchesAndDrain() throws Exception
    {
        try (SharedQueue<Long> queue = SharedQueue.create("zc", Codecs.LONG, new QueueOptions().capacityBytes(4096)))
        {
            final int index = queue.claim(Long.BYTES, 1, TimeUnit.SECONDS);
            queue.claimBuffer().putLong(index, 5L);
            queue.commit(index);
            final int dropped = queue.claim(Long.BYTES, 0, TimeUnit.SECONDS);
            queue.abort(dropped);
            thrown(IllegalStateException.class, () -> queue.commit(index), "no claim");
            final int misnamed = queue.claim(Long.BYTES, 0, TimeUnit.SECONDS);
            queue.claimBuffer().putLong(misnamed, 99L);
            thrown(IllegalArgumentException.class, () -> queue.abort(index), "whose claim was at");
            thrown(IllegalStateException.class, () -> queue.commit(misnamed), "no claim"); // dropped all the same
            thrown(IllegalArgumentException.class, () -> queue.claim(queue.maxClaimLength() + 1, 0, TimeUnit.SECONDS), "claim");
            final UnsafeBuffer src = new UnsafeBuffer(new byte[24]);
            src.putLong(0, 6L);
            src.putLong(8, 7L);
            src.putLong(16, 8L);
            assertEquals(3, queue.offerBatch(src, new int[] {0, 8, 16}, new int[] {8, 8, 8}, 0, 3, 0, TimeUnit.SECONDS));
            assertEquals(4, queue.size());
            final List<Long> values = new ArrayList<>();
            assertTrue(queue.receive((buffer, offset, length) -> values.add(buffer.getLong(offset)), 0, TimeUnit.SECONDS));
            final List<Long> drained = new ArrayList<>();
            assertEquals(2, queue.drainTo(drained, 2));
            assertEquals(1, queue.drainTo(drained));
            assertEquals(List.of(5L), values);
            assertEquals(List.of(6L, 7L, 8L), drained);
            thrown(IllegalArgumentException.class, () -> queue.drainTo(queue));
        }
    }

    @Test
    void shouldSendBatchesWholeAcrossTheRingsEndAndWithinTheElementBound() throws Exception
    {
        final int threshold = io.ipckit.core.internal.kit.BiasedOwnerLock.INITIAL_BIAS_THRESHOLD;
        try (SharedQueue<byte[]> queue = SharedQueue.create("batches", Codecs.BYTES,
            new QueueOptions().capacityBytes(1024)))
        {
            for (int i = 0; i <= threshold + 1; i++)
            {
                queue.put(new byte[] {1});
                queue.take();
            }
            assertTrue(queue.fifo().producerLockBiased(), "batches that fit take the lane's fast path");
            final ThreadLocalRandom random = ThreadLocalRandom.current();
            final UnsafeBuffer src = new UnsafeBuffer(new byte[2048]);
            int sequence = 0;
            for (int round = 0; round < 500; round++)
            {
                final int count = 1 + random.nextInt(6);
                final int[] offsets = new int[count];
                final int[] lengths = new int[count];
                int at = 0;
                for (int i = 0; i < count; i++)
                {
                    // mostly records that fit one by one; now and then a first one split over several records (a
                    // batch stays within the 1024-byte ring: it is sent before anything is taken)
                    lengths[i] = i == 0 && random.nextInt(8) == 0 ? 200 + random.nextInt(100) : 1 + random.nextInt(100);
                    offsets[i] = at;
                    for (int b = 0; b < lengths[i]; b++)
                    {
                        src.putByte(at + b, (byte)(sequence + i + b));
                    }
                    at += lengths[i];
                }
                assertEquals(count, queue.offerBatch(src, offsets, lengths, 0, count, 10, TimeUnit.SECONDS));
                for (int i = 0; i < count; i++)
                {
                    final byte[] element = queue.poll();
                    assertEquals(lengths[i], element.length, "round " + round + ", element " + i);
                    for (int b = 0; b < element.length; b++)
                    {
                        assertEquals((byte)(sequence + i + b), element[b], "round " + round + ", byte " + b);
                    }
                }
                assertNull(queue.poll());
                sequence += count;
            }
        }
        try (SharedQueue<byte[]> bounded = SharedQueue.create("batch-bound", Codecs.BYTES,
            new QueueOptions().maxElements(10)))
        {
            for (int i = 0; i < 5; i++)
            {
                bounded.put(new byte[] {(byte)i});
            }
            final UnsafeBuffer src = new UnsafeBuffer(new byte[] {5, 6, 7, 8, 9, 10, 11, 12});
            final int[] offsets = {0, 1, 2, 3, 4, 5, 6, 7};
            final int[] lengths = {1, 1, 1, 1, 1, 1, 1, 1};
            assertEquals(5, bounded.offerBatch(src, offsets, lengths, 0, 8, 0, TimeUnit.SECONDS), "as many as the bound leaves room for");
            assertEquals(10, bounded.size());
            for (int i = 0; i < 10; i++)
            {
                assertArrayEquals(new byte[] {(byte)i}, bounded.poll());
            }
        }
    }

    @Test
    void shouldSnapshotPeekAndCompleteAsyncTakes() throws Exception
    {
        try (SharedQueue<String> queue = SharedQueue.create("view", Codecs.STRING, new QueueOptions()))
        {
            final CompletableFuture<String> pending = queue.takeAsync();
            queue.put("x");
            assertEquals("x", pending.get(10, TimeUnit.SECONDS));
            queue.put("a");
            queue.put("b");
            final Iterator<String> iterator = queue.iterator();
            assertEquals("a", iterator.next());
            assertEquals("b", iterator.next());
            assertFalse(iterator.hasNext());
            assertTrue(queue.contains("b"));
            assertEquals("a", queue.peek());
            assertEquals("a", queue.peek());
            assertEquals(2, queue.size());
            assertEquals("a", queue.poll());
            assertEquals("b", queue.poll());
            assertNull(queue.peek());
            assertNull(queue.pollAsync(20, TimeUnit.MILLISECONDS).get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void shouldTakeAnElementWhoseDecodingThrowsOnBothPathsAndHandOverTheNextOne() throws Exception
    {
        final int threshold = io.ipckit.core.internal.kit.BiasedOwnerLock.INITIAL_BIAS_THRESHOLD;
        final io.ipckit.core.codec.Codec<Integer> refusesSeven = new io.ipckit.core.codec.Codec<>()
        {
            @Override
            public int encode(final Integer value, final org.agrona.MutableDirectBuffer buffer, final int offset)
            {
                return Codecs.INTEGER.encode(value, buffer, offset);
            }

            @Override
            public Integer decode(final org.agrona.DirectBuffer buffer, final int offset, final int length)
            {
                final int value = Codecs.INTEGER.decode(buffer, offset, length);
                if (value == 7)
                {
                    throw new IllegalStateException("seven does not decode");
                }
                return value;
            }
        };
        try (SharedQueue<Integer> a = SharedQueue.create("decode-throws", refusesSeven, new QueueOptions());
            SharedQueue<Integer> b = SharedQueue.open("decode-throws", refusesSeven))
        {
            // the general path first (no bias yet), then the biased fast path
            for (final boolean biased : new boolean[] {false, true})
            {
                a.put(7);
                a.put(8);
                assertEquals(biased, a.fifo().consumerLockBiased(), "the path under test");
                thrown(IllegalStateException.class, a::take, "seven does not decode");
                assertEquals(8, a.take(), "the element that failed to decode was taken");
                for (int i = 100; i <= 100 + threshold + 1; i++)
                {
                    a.put(i);
                    assertEquals(i, a.take());
                }
            }
            // the failed take left no hold behind: another handle takes the lock from the bias at once
            a.put(9);
            assertEquals(9, b.poll(20, TimeUnit.SECONDS));
            a.put(10);
            assertEquals(10, a.take());
            assertFalse(a.fifo().consumerLockBiased(), "a found its bias gone");
            assertNull(a.poll());
        }
    }

    @Test
    void shouldGiveRoomBackInStepsWhileElementsRemainAndAllOfItWhenEmpty() throws Exception
    {
        try (SharedQueue<Long> queue = SharedQueue.create("room-steps", Codecs.LONG,
            new QueueOptions().capacityBytes(4096));
            SharedQueue<Long> producer = SharedQueue.open("room-steps", Codecs.LONG))
        {
            for (int round = 0; round < 3; round++)
            {
                long put = 0;
                while (producer.offer(put))
                {
                    put++;
                }
                assertTrue(put > 16, "the ring holds " + put + " elements, each well under a step of 256 bytes");
                assertEquals(0L, queue.take());
                assertFalse(producer.offer(-1L), "one element's room is not a step: a put that does not wait " +
                    "finds the queue full while elements remain");
                assertTrue(producer.offer(put, 20, TimeUnit.SECONDS), "a put that waits finds the room");
                for (long i = 1; i <= put; i++)
                {
                    assertEquals(i, queue.take(), "round " + round);
                }
                assertNull(queue.poll(), "empty");
                // the queue is empty: all of its room is back, so the next round fills it as far as this one did
                long again = 0;
                while (producer.offer(again))
                {
                    again++;
                }
                assertEquals(put, again, "round " + round);
                for (long i = 0; i < again; i++)
                {
                    assertEquals(i, queue.take());
                }
            }
        }
    }

    @Test
    void shouldPutAnElementThatIsItsOwnEncodingFromItsArray() throws Exception
    {
        final OwnEncodingCodec codec = new OwnEncodingCodec();
        try (SharedQueue<Blob> fifo = SharedQueue.create("own-fifo", codec, new QueueOptions());
            SharedQueue<Blob> lanes = SharedQueue.create("own-lanes", codec,
                new QueueOptions().producerLanes(2).fifoAcrossProducers(true));
            LifoQueue<Blob> lifo = LifoQueue.create("own-lifo", codec, new QueueOptions().maxElements(8).slotBytes(8192));
            SharedQueue<Blob> bounded = SharedQueue.create("own-bounded", codec,
                new QueueOptions().maxMessageBytes(64)))
        {
            final int[] lengths = {0, 1, 33, 300, 5000}; // 300 and 5000: over the scratch buffer's first size
            for (final AbstractSharedQueue<Blob> queue : List.of(fifo, lanes, lifo))
            {
                for (int i = 0; i < lengths.length; i++)
                {
                    queue.put(OwnEncodingCodec.blob(lengths[i], i));
                }
                for (int i = 0; i < lengths.length; i++)
                {
                    final int expected = queue == lifo ? lengths.length - 1 - i : i;
                    assertArrayEquals(OwnEncodingCodec.blob(lengths[expected], expected).bytes(),
                        queue.poll(5, TimeUnit.SECONDS).bytes(), queue + " element " + i);
                }
            }
            thrown(IllegalArgumentException.class, () -> bounded.put(OwnEncodingCodec.blob(65, 0)), "65 bytes",
                "64-byte bound");
            assertEquals(0, bounded.size(), "nothing was put");
            // the handle keeps no reference to the array it copied (a large element would stay reachable)
            final java.lang.ref.WeakReference<byte[]> put = putAndForget(fifo);
            Eventually.await("the put array to be collected", Duration.ofSeconds(20), () ->
            {
                System.gc();
                return put.get() == null;
            });
            assertEquals(1 << 18, fifo.poll().bytes().length);
        }
    }

    private static java.lang.ref.WeakReference<byte[]> putAndForget(final SharedQueue<Blob> queue)
        throws InterruptedException
    {
        final Blob blob = OwnEncodingCodec.blob(1 << 18, 7);
        queue.put(blob);
        return new java.lang.ref.WeakReference<>(blob.bytes());
    }

    @Test
    void shouldRejectBadInput()
    {
        try (SharedQueue<byte[]> queue = SharedQueue.create("bad", Codecs.BYTES,
            new QueueOptions().maxMessageBytes(100)))
        {
            thrown(IllegalArgumentException.class, () -> queue.put(new byte[101]), "101 bytes", "100-byte bound");
            assertTrue(queue.offer(new byte[100]));
        }
        try (SharedQueue<byte[]> laned = SharedQueue.create("bad-lane", Codecs.BYTES,
            new QueueOptions().producerLanes(1).maxMessageBytes(100)))
        {
            assertTrue(laned.offer(new byte[100])); // the handle holds its exclusive lane: its claims are lean
            thrown(IllegalArgumentException.class, () -> laned.tryClaim(101), "101 bytes", "100-byte bound");
            final int index = laned.tryClaim(100);
            assertTrue(laned.fifo().leanClaimHeld(), "a claim within the bound took the lean path");
            laned.commit(index);
            assertEquals(2, laned.size());
        }
        try (var pipe = Pipe.create("a-pipe"))
        {
            thrown(WrongResourceKindException.class, () -> SharedQueue.open("a-pipe", Codecs.BYTES), "is a Pipe");
        }
        try (LifoQueue<Long> lifo = LifoQueue.create("a-lifo", Codecs.LONG, new QueueOptions()))
        {
            thrown(WrongResourceKindException.class, () -> SharedQueue.open("a-lifo", Codecs.LONG), "LIFO");
        }
        try (SharedQueue<Long> plain = SharedQueue.create("plain", Codecs.LONG, new QueueOptions()))
        {
            thrown(WrongResourceKindException.class, () -> JoinableQueue.open("plain", Codecs.LONG), "JoinableQueue");
        }
        // a queue of the previous layout (no head hint) is refused, not misread
        io.ipckit.core.file.ResourceFile.create("old-queue", io.ipckit.core.file.ResourceKind.QUEUE,
            QueueDescriptor.LAYOUT_VERSION - 1, 0, 64, false, null).close();
        thrown(io.ipckit.core.exceptions.IncompatibleVersionException.class,
            () -> SharedQueue.open("old-queue", Codecs.LONG), "old-queue",
            "layout version " + (QueueDescriptor.LAYOUT_VERSION - 1), "an older ipckit");
        thrown(IllegalArgumentException.class, () -> new QueueOptions().capacityBytes(10));
    }

    @Test
    void shouldJoinWhenAnotherProcessMarkedEveryTaskDone() throws Exception
    {
        try (JoinableQueue<String> queue = JoinableQueue.create("join", Codecs.STRING, new QueueOptions()))
        {
            for (int i = 0; i < 20; i++)
            {
                queue.put("task " + i);
            }
            assertEquals(20, queue.unfinishedTasks());
            assertFalse(queue.join(10, TimeUnit.MILLISECONDS));
            final JvmProcess worker = dir.start(QueueChildMain.class, "join-worker", "join", "20");
            assertTrue(queue.join(60, TimeUnit.SECONDS));
            assertEquals(0, queue.unfinishedTasks());
            assertTrue(worker.join(30, TimeUnit.SECONDS));
            assertEquals(0, worker.exitCode().getAsInt());
            thrown(IllegalStateException.class, queue::taskDone, "more times");
        }
    }

    /**
     * The lanes' tail words count elements modulo 2^24: the unfinished-task count, made of them alone, wrapped to 0
     * after 2^24 elements put and taken without taskDone, and join() returned with every task unfinished.
     */
    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldCountUnfinishedTasksExactlyPastTwoToTheTwentyFour() throws Exception
    {
        final int total = (1 << 24) + 3;
        try (JoinableQueue<byte[]> queue = JoinableQueue.create("many-tasks", Codecs.BYTES,
            new QueueOptions().capacityBytes(1 << 22)))
        {
            final int batch = 4096;
            final org.agrona.concurrent.UnsafeBuffer src = new org.agrona.concurrent.UnsafeBuffer(new byte[batch]);
            final int[] offsets = new int[batch];
            final int[] lengths = new int[batch];
            for (int i = 0; i < batch; i++)
            {
                offsets[i] = i;
                lengths[i] = 1;
            }
            int put = 0;
            while (put < total)
            {
                final int count = Math.min(batch, total - put);
                assertEquals(count, queue.offerBatch(src, offsets, lengths, 0, count, 10, TimeUnit.SECONDS));
                put += count;
                int taken = 0;
                while (taken < count)
                {
                    taken += queue.drain((buffer, offset, length) -> { }, count - taken);
                }
                if (put == batch * 1024 || put == total)
                {
                    assertEquals(put, queue.unfinishedTasks(), "after " + put + " put and taken");
                }
            }
            assertEquals(total, queue.unfinishedTasks());
            assertFalse(queue.join(10, TimeUnit.MILLISECONDS), "every task is unfinished");
            queue.taskDone();
            assertEquals(total - 1, queue.unfinishedTasks());
            queue.unlink();
        }
    }

    @Test
    void shouldTakeLastInFirstOutAndByPriorityAcrossProcesses() throws Exception
    {
        try (LifoQueue<Long> lifo = LifoQueue.create("lifo", Codecs.LONG, new QueueOptions().maxElements(8));
            SharedPriorityQueue<Long> priority = SharedPriorityQueue.create("prio", Codecs.LONG, Long::longValue,
                new QueueOptions().maxElements(8)))
        {
            final JvmProcess a = dir.start(QueueChildMain.class,
                "put-longs", "lifo", "lifo", "1", "2", "3", "4");
            final JvmProcess b = dir.start(QueueChildMain.class,
                "put-longs", "prio", "priority", "30", "10", "40", "10", "20");
            assertTrue(a.join(30, TimeUnit.SECONDS));
            assertTrue(b.join(30, TimeUnit.SECONDS));
            assertEquals(0, a.exitCode().getAsInt());
            assertEquals(0, b.exitCode().getAsInt());
            assertEquals(4, lifo.size());
            assertEquals(4L, lifo.peek());
            final List<Long> lifoOrder = new ArrayList<>(lifo);
            assertEquals(List.of(4L, 3L, 2L, 1L), lifoOrder);
            lifo.put(5L);
            assertEquals(List.of(5L, 4L, 3L, 2L, 1L),
                List.of(lifo.take(), lifo.take(), lifo.poll(), lifo.poll(1, TimeUnit.SECONDS), lifo.poll()));
            assertNull(lifo.poll());
            final List<Long> drained = new ArrayList<>();
            assertEquals(5, priority.drainTo(drained));
            assertEquals(List.of(10L, 10L, 20L, 30L, 40L), drained);
            for (long i = 0; i < 8; i++)
            {
                priority.put(i);
            }
            assertEquals(0, priority.remainingCapacity());
            assertFalse(priority.offer(9L, 20, TimeUnit.MILLISECONDS));
        }
        try (SharedPriorityQueue<byte[]> small = SharedPriorityQueue.create("small", Codecs.BYTES, (e) -> 0,
            new QueueOptions().slotBytes(16)))
        {
            thrown(IllegalArgumentException.class, () -> small.put(new byte[17]), "17 bytes");
        }
    }

    @Test
    void shouldSerialiseManyProducerThreadsOfOneHandleAndKeepEachThreadsOrder() throws Exception
    {
        for (final int lanes : new int[] {0, 2})
        {
            try (SharedQueue<Long> queue = SharedQueue.create("threads-" + lanes, Codecs.LONG,
                new QueueOptions().capacityBytes(4096).producerLanes(lanes)))
            {
                // a small ring: producers block often, so threads take the gate over from one blocked in a put
                GateChecks.manyThreadsThroughOneHandle("threads-" + lanes, 4, 20_000);
                assertNull(queue.poll());
            }
        }
    }

    @Test
    void shouldLetASecondProducerThreadInOnlyAfterTheFirstLeavesItsBlockedPut() throws Exception
    {
        try (SharedQueue<Integer> queue = SharedQueue.create("handover", Codecs.INTEGER,
            new QueueOptions().maxElements(1)))
        {
            final CompletableFuture<Void> first = CompletableFuture.runAsync(() ->
            {
                try
                {
                    queue.put(1);
                    queue.put(2); // blocks: the queue holds one element
                }
                catch (final InterruptedException ex)
                {
                    throw new IllegalStateException(ex);
                }
            }, runnable -> new Thread(runnable, "first").start());
            Eventually.await("the first producer blocked in its second put", Duration.ofSeconds(30),
                () -> queue.size() == 1 && !first.isDone());
            final AtomicReference<Boolean> offered = new AtomicReference<>();
            final Thread second = new Thread(() ->
            {
                try
                {
                    offered.set(queue.offer(3, 200, TimeUnit.MILLISECONDS));
                }
                catch (final InterruptedException ex)
                {
                    offered.set(null);
                }
            }, "second");
            second.start();
            second.join(30_000);
            assertEquals(Boolean.FALSE, offered.get(), "the first thread is still inside its put: the offer times out");
            assertEquals(1, queue.take());
            first.get(30, TimeUnit.SECONDS);
            final CompletableFuture<Boolean> third = CompletableFuture.supplyAsync(() ->
            {
                try
                {
                    return queue.offer(3, 30, TimeUnit.SECONDS);
                }
                catch (final InterruptedException ex)
                {
                    throw new IllegalStateException(ex);
                }
            }, runnable -> new Thread(runnable, "third").start());
            assertEquals(2, queue.take());
            assertTrue(third.get(30, TimeUnit.SECONDS));
            assertEquals(3, queue.take());
            assertNull(queue.poll());
        }
    }

    @Test
    void shouldSerialiseThreadsOfOneHandleInAProcessWithoutMembarrier() throws Exception
    {
        // the gate's fallback: without the asymmetric fence every sole-thread entry fences itself
        try (SharedQueue<Long> queue = SharedQueue.create("fenced-gate", Codecs.LONG,
            new QueueOptions().capacityBytes(4096)))
        {
            final JvmProcess child = dir.start((io.ipckit.core.process.SerializableRunnable)
                () -> GateChecks.manyThreadsThroughOneHandle("fenced-gate", 4, 5_000), new ProcessOptions()
                .jvmOptions("-D" + io.ipckit.core.internal.wait.AsymmetricFence.ENABLED_PROP_NAME + "=false"));
            assertEquals(0, child.join(), "the child saw every thread's elements once and in order");
            assertNull(queue.poll());
        }
    }

    @Test
    void shouldDiscardAnElementWhoseProducerWasInterruptedHalfWayAndNotBlockTheConsumer() throws Exception
    {
        try (SharedQueue<byte[]> queue = SharedQueue.create("halfway", Codecs.BYTES,
            new QueueOptions().capacityBytes(1024)))
        {
            final byte[] big = new byte[5 * 1024]; // five rings: the put blocks after its first fragments
            final CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            final Thread producer = new Thread(() ->
            {
                try
                {
                    queue.put(big);
                    outcome.complete(null);
                }
                catch (final Throwable t)
                {
                    outcome.complete(t);
                }
            }, "halfway-producer");
            producer.start();
            Eventually.await("the first fragments are in", Duration.ofSeconds(30), () -> queue.size() == 1);
            producer.interrupt();
            assertTrue(outcome.get(30, TimeUnit.SECONDS) instanceof InterruptedException, "the put was interrupted");
            // the consumer takes the fragments, learns that their writer gave up, and does not wait for the rest
            assertNull(queue.poll(500, TimeUnit.MILLISECONDS), "a partial element is never delivered");
            queue.put(new byte[] {7});
            assertArrayEquals(new byte[] {7}, queue.poll(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void shouldRefuseANestedCallAndKeepTheInterruptFlagOfNonWaitingCalls() throws Exception
    {
        try (SharedQueue<byte[]> queue = SharedQueue.create("nested", Codecs.BYTES, new QueueOptions()))
        {
            final int index = queue.claim(8, 1, TimeUnit.MINUTES);
            final IllegalStateException nested = assertThrows(IllegalStateException.class,
                () -> queue.put(new byte[1]));
            assertTrue(nested.getMessage().contains("between claim and commit"), nested.getMessage());
            queue.claimBuffer().putLong(index, 42L);
            queue.commit(index);

            Thread.currentThread().interrupt();
            try
            {
                assertTrue(queue.offer(new byte[] {1}), "offer() does not wait, so an interrupt does not stop it");
                assertEquals(8, queue.poll().length, "nor poll()");
                assertTrue(Thread.currentThread().isInterrupted(), "and the flag stays set");
            }
            finally
            {
                Thread.interrupted();
            }
            assertArrayEquals(new byte[] {1}, queue.poll());
        }
    }

    @Test
    void shouldGiveTheLaneBackWhenClosedByAnInterruptedThread() throws Exception
    {
        try (SharedQueue<String> creator = SharedQueue.create("lane-back", Codecs.STRING,
            new QueueOptions().producerLanes(1)))
        {
            final SharedQueue<String> first = SharedQueue.open("lane-back", Codecs.STRING);
            first.put("a");
            assertEquals(1, first.fifo().producerLane());
            Thread.currentThread().interrupt();
            try
            {
                first.close();
                assertTrue(Thread.currentThread().isInterrupted(), "close keeps the interrupt flag");
            }
            finally
            {
                Thread.interrupted();
            }
            creator.put("b");
            assertEquals(1, creator.fifo().producerLane(), "the lane was given back");
            assertEquals("a", creator.take());
            assertEquals("b", creator.take());
        }
    }

    @Test
    void shouldNotUnmapUnderAHandlerThatClosesItsOwnHandle() throws Exception
    {
        try (SharedQueue<byte[]> creator = SharedQueue.create("self-close", Codecs.BYTES, new QueueOptions()))
        {
            creator.put(new byte[] {1, 2, 3});
            final SharedQueue<byte[]> handle = SharedQueue.open("self-close", Codecs.BYTES);
            final AtomicReference<Integer> seen = new AtomicReference<>();
            assertEquals(1, handle.drain((buffer, offset, length) ->
            {
                handle.close();                                   // from inside the handler
                seen.set(buffer.getByte(offset + 2) + length);  // the element's memory is still mapped
            }, 10));
            assertEquals(6, seen.get());
            thrown(io.ipckit.core.exceptions.ResourceClosedException.class, () -> handle.put(new byte[1]), "closed");
        }
    }

    /**
     * A put whose source range is outside its buffer fails before it reserves anything. It once failed after: it had
     * reserved a padding record at the ring's end, and the next put of that handle that needed none stamped that
     * stale padding's position, a lap later in the middle of another producer's committed element.
     */
    @Test
    void shouldLeaveNothingReservedWhenAPutsSourceRangeIsOutsideItsBuffer() throws Exception
    {
        try (SharedQueue<byte[]> consumer = SharedQueue.create("bad-source", Codecs.BYTES,
            new QueueOptions().capacityBytes(1024).producerLanes(0));
            SharedQueue<byte[]> first = SharedQueue.open("bad-source", Codecs.BYTES);
            SharedQueue<byte[]> failing = SharedQueue.open("bad-source", Codecs.BYTES);
            SharedQueue<byte[]> other = SharedQueue.open("bad-source", Codecs.BYTES))
        {
            // eight records of 120 bytes: the tail is 64 bytes before the ring's end
            for (int i = 0; i < 8; i++)
            {
                first.put(filled(112, i));
                assertArrayEquals(filled(112, i), consumer.poll());
            }
            // its first put, 100 bytes from a 50-byte buffer, would need a padding record first
            final UnsafeBuffer tooShort = new UnsafeBuffer(new byte[50]);
            assertThrows(IndexOutOfBoundsException.class, () -> failing.offerBytes(tooShort, 0, 100, 0, TimeUnit.SECONDS));
            // another producer pads the ring's end itself and writes on into the next lap
            other.put(filled(100, 20));
            assertArrayEquals(filled(100, 20), consumer.poll());
            for (int i = 0; i < 6; i++)
            {
                other.put(filled(120, 30 + i));
                assertArrayEquals(filled(120, 30 + i), consumer.poll());
            }
            final byte[] spanning = filled(120, 40); // ring bytes 880..1007, over the stale padding's stamp word
            other.put(spanning);
            // a put of the failing handle that needs no padding: 0 bytes, by the general path (a claim)
            final int index = failing.claim(0, 0, TimeUnit.SECONDS);
            assertTrue(index >= 0, "room for an empty element");
            failing.commit(index);
            assertArrayEquals(spanning, consumer.poll(), "the element written over the stale padding's stamp word");
            assertArrayEquals(new byte[0], consumer.poll());
            assertNull(consumer.poll());
        }
    }

    @Test
    void shouldPeekWithoutTakingTheElementFromOtherConsumers() throws Exception
    {
        try (SharedQueue<byte[]> looker = SharedQueue.create("peek", Codecs.BYTES,
            new QueueOptions().capacityBytes(4096).producerLanes(1));
            SharedQueue<byte[]> other = SharedQueue.open("peek", Codecs.BYTES))
        {
            final byte[] split = filled(1500, 1); // a record holds at most 4096 / 8 - 8 bytes: three records
            final byte[] whole = filled(10, 2);
            other.put(split);
            other.put(whole);
            assertArrayEquals(split, looker.peek());
            assertArrayEquals(split, looker.peek());
            assertEquals(2, other.size());
            assertArrayEquals(split, other.poll(), "the other handle takes what the first one only looked at");
            assertArrayEquals(whole, looker.peek());
            assertArrayEquals(whole, other.poll());
            assertNull(looker.peek());
            assertNull(other.poll());
        }
    }

    @Test
    void shouldMoveAnElementLongerThanTheRingIntoThePeekingHandle() throws Exception
    {
        try (SharedQueue<byte[]> looker = SharedQueue.create("peek-long", Codecs.BYTES,
            new QueueOptions().capacityBytes(1024));
            SharedQueue<byte[]> other = SharedQueue.open("peek-long", Codecs.BYTES);
            SharedQueue<byte[]> writer = SharedQueue.open("peek-long", Codecs.BYTES))
        {
            final byte[] long3x = filled(3 * 1024, 3);
            final CompletableFuture<Void> put = CompletableFuture.runAsync(() ->
            {
                try
                {
                    writer.put(long3x);
                }
                catch (final InterruptedException ex)
                {
                    throw new IllegalStateException(ex);
                }
            });
            Eventually.await("the writer filled the ring", Duration.ofSeconds(10), () -> other.size() > 0);
            // its last record cannot be in the ring yet: the peek takes it out, waiting for the rest as a poll would
            assertArrayEquals(long3x, looker.peek());
            put.get(10, TimeUnit.SECONDS);
            assertNull(other.poll(), "the element moved into the peeking handle");
            assertArrayEquals(long3x, looker.poll());
            assertNull(looker.peek());
        }
    }

    @Test
    void shouldRemoveElementsFromTheMiddleForEveryProcess() throws Exception
    {
        try (SharedQueue<String> queue = SharedQueue.create("remove", Codecs.STRING,
            new QueueOptions().capacityBytes(4096).producerLanes(1).maxElements(6));
            SharedQueue<String> producer = SharedQueue.open("remove", Codecs.STRING))
        {
            final String split = "x".repeat(2000); // longer than a record (4096 / 8 - 8 bytes): four records
            for (final String element : List.of("a", split, "b", "a", "c", "gone"))
            {
                producer.put(element);
            }
            assertFalse(producer.offer("full"), "six elements: the bound");
            assertFalse(queue.remove(null));
            assertFalse(queue.remove("missing"));
            assertFalse(queue.remove(42));
            final JvmProcess remover = dir.start(QueueChildMain.class,
                "remove", "remove", "fifo", "a", split, "gone");
            assertTrue(remover.join(30, TimeUnit.SECONDS));
            assertEquals(0, remover.exitCode().getAsInt(), "the other process found and removed all three");
            assertEquals(3, queue.size(), "removed elements are no longer counted");
            assertEquals(List.of("b", "a", "c"), new ArrayList<>(queue));
            assertTrue(producer.offer("d"), "a removed element gives its place back to the element bound");
            assertEquals("b", queue.peek());
            assertEquals("b", queue.poll());
            assertEquals("a", queue.poll(), "the second a stayed: remove takes out the first equal element");
            assertEquals("c", queue.poll());
            assertEquals("d", queue.poll());
            assertNull(queue.poll());
            assertEquals(0, queue.size());
            // the ring is reused past the removed records
            for (int lap = 0; lap < 20; lap++)
            {
                producer.put(split);
                assertEquals(split, queue.poll());
            }
        }
    }

    @Test
    void shouldGiveTheBytesOfARemovedFirstElementBackToProducersAtOnce() throws Exception
    {
        try (SharedQueue<byte[]> queue = SharedQueue.create("remove-bytes", Codecs.BYTES,
            new QueueOptions().capacityBytes(1024));
            SharedQueue<byte[]> producer = SharedQueue.open("remove-bytes", Codecs.BYTES))
        {
            int put = 0;
            while (producer.offer(filled(100, put)))
            {
                put++;
            }
            assertTrue(put > 1, "the ring holds " + put + " elements");
            assertTrue(queue.remove(filled(100, 1)), "the second element");
            assertFalse(producer.offer(filled(100, 99)), "an element further in gives its bytes back only when reached");
            final CompletableFuture<Void> blockedPut = CompletableFuture.runAsync(() ->
            {
                try
                {
                    producer.put(filled(100, 99));
                }
                catch (final InterruptedException ex)
                {
                    throw new IllegalStateException(ex);
                }
            });
            assertTrue(queue.remove(filled(100, 0)), "the first element");
            // the first two elements' bytes are back without any consumer, and the blocked producer was woken
            blockedPut.get(10, TimeUnit.SECONDS);
            assertEquals(put - 1, queue.size());
            for (int i = 2; i < put; i++)
            {
                assertArrayEquals(filled(100, i), queue.poll());
            }
            assertArrayEquals(filled(100, 99), queue.poll());
            assertNull(queue.poll());
        }
    }

    @Test
    void shouldRemoveThroughTheIteratorAndTheBulkRemovals() throws Exception
    {
        try (SharedQueue<String> queue = SharedQueue.create("remove-bulk", Codecs.STRING, new QueueOptions()))
        {
            for (int i = 1; i <= 8; i++)
            {
                queue.put(Integer.toString(i));
            }
            final Iterator<String> iterator = queue.iterator();
            thrown(IllegalStateException.class, iterator::remove, "without a next()");
            assertEquals("1", iterator.next());
            iterator.remove();
            assertEquals(7, queue.size());
            assertTrue(queue.removeIf((element) -> Integer.parseInt(element) % 2 == 0));
            assertEquals(List.of("3", "5", "7"), new ArrayList<>(queue));
            assertTrue(queue.removeAll(List.of("5", "nine")));
            assertTrue(queue.retainAll(List.of("7")));
            assertEquals(List.of("7"), List.of(queue.toArray(new String[0])));
            assertEquals("7", queue.poll());
            assertNull(queue.poll());
        }
    }

    @Test
    void shouldCountARemovedTaskAsDoneForJoin() throws Exception
    {
        try (JoinableQueue<String> queue = JoinableQueue.create("remove-join", Codecs.STRING, new QueueOptions()))
        {
            queue.put("task 0");
            queue.put("task 1");
            queue.put("task 2");
            final JvmProcess remover = dir.start(QueueChildMain.class,
                "remove", "remove-join", "joinable", "task 1");
            assertTrue(remover.join(30, TimeUnit.SECONDS));
            assertEquals(0, remover.exitCode().getAsInt());
            assertEquals(2, queue.unfinishedTasks());
            assertFalse(queue.join(10, TimeUnit.MILLISECONDS));
            assertEquals("task 0", queue.take());
            queue.taskDone();
            assertEquals("task 2", queue.take());
            queue.taskDone();
            assertTrue(queue.join(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void shouldRemoveFromLifoAndPriorityQueues() throws Exception
    {
        try (LifoQueue<Long> lifo = LifoQueue.create("remove-lifo", Codecs.LONG, new QueueOptions().maxElements(4));
            SharedPriorityQueue<Long> priority = SharedPriorityQueue.create("remove-prio", Codecs.LONG,
                Long::longValue, new QueueOptions().maxElements(4)))
        {
            for (long i = 1; i <= 4; i++)
            {
                lifo.put(i);
                priority.put(10 - i);
            }
            final JvmProcess remover = dir.start(QueueChildMain.class,
                "remove", "remove-lifo", "lifo", "3");
            assertTrue(remover.join(30, TimeUnit.SECONDS));
            assertEquals(0, remover.exitCode().getAsInt());
            assertFalse(lifo.remove(3L), "already removed by the other process");
            assertEquals(3, lifo.size());
            assertTrue(lifo.offer(5L), "the removed element's slot is free again");
            assertEquals(List.of(5L, 4L, 2L, 1L), List.of(lifo.take(), lifo.take(), lifo.take(), lifo.take()));
            assertTrue(priority.remove(8L));
            assertFalse(priority.remove(8L));
            assertEquals(List.of(6L, 7L, 9L), List.of(priority.take(), priority.take(), priority.take()));
            assertNull(priority.poll());
        }
    }

    private static byte[] filled(final int length, final int seed)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(seed * 31 + i);
        }
        return bytes;
    }
}
