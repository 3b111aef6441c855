package io.ipckit.queue;

import io.ipckit.core.codec.Codecs;
import io.ipckit.core.exceptions.ResourceClosedException;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Stream;

import static io.ipckit.pipe.Expect.thrown;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Holds every queue type to {@link BlockingQueue}'s contract, as the Disruptor's {@code SequencerTest} holds every
 * sequencer to one: full and empty, timeouts (zero or less: do not wait), interruption of blocked calls, draining,
 * sizes, iteration, nulls refused, and use after close. Types bounded by elements hold {@value #BOUND} elements; the
 * others (lanes, simple) are bounded by the bytes of a {@value QueueOptions#MIN_CAPACITY_BYTES}-byte ring, so a test
 * fills them until an offer is refused.
 */
@Timeout(60)
class BlockingQueueContractTest
{
    private static final int BOUND = 2;

    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    /**
     * A queue type under test: how to create one, and its element bound (0 when only bytes bound it).
     */
    record QueueType(String label, Function<String, AbstractSharedQueue<Integer>> create, int bound)
    {
        @Override
        public String toString()
        {
            return label;
        }
    }

    static Stream<Arguments> queues()
    {
        final QueueOptions bounded = new QueueOptions().maxElements(BOUND);
        final QueueOptions smallRing = new QueueOptions().capacityBytes(QueueOptions.MIN_CAPACITY_BYTES);
        return Stream.of(
            new QueueType("fifo", (name) -> SharedQueue.create(name, Codecs.INTEGER, bounded), BOUND),
            new QueueType("fifo with producer lanes", (name) -> SharedQueue.create(name, Codecs.INTEGER,
                new QueueOptions().capacityBytes(QueueOptions.MIN_CAPACITY_BYTES).producerLanes(2)), 0),
            new QueueType("simple", (name) -> SimpleQueue.create(name, Codecs.INTEGER, smallRing), 0),
            new QueueType("joinable", (name) -> JoinableQueue.create(name, Codecs.INTEGER, bounded), BOUND),
            new QueueType("lifo", (name) -> LifoQueue.create(name, Codecs.INTEGER, bounded), BOUND),
            new QueueType("priority", (name) -> SharedPriorityQueue.create(name, Codecs.INTEGER, (e) -> e, bounded),
                BOUND)
        ).map(Arguments::of);
    }

    /**
     * Fills the queue with 0, 1, 2, ... until an offer is refused.
     *
     * @return how many it holds.
     */
    private static int fill(final AbstractSharedQueue<Integer> queue)
    {
        int count = 0;
        while (queue.offer(count))
        {
            count++;
            assertTrue(count < 100_000, "the queue is bounded");
        }
        return count;
    }

    /**
     * A put whose slice lies outside its buffer is refused before anything is reserved or locked, and the queue goes
     * on working: the next element comes through and the queue still fills to its bound and empties.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("queues")
    void shouldKeepWorkingAfterAPutOfABadSliceIsRefused(final QueueType type) throws Exception
    {
        try (AbstractSharedQueue<Integer> queue = type.create().apply(type.label().replace(' ', '-') + "-slice"))
        {
            final org.agrona.concurrent.UnsafeBuffer buffer = new org.agrona.concurrent.UnsafeBuffer(new byte[26]);
            final int[][] slices = {{22, 5}, {27, 0}, {26, 1}, {-1, 1}, {0, -1}, {0, 27}};
            for (final int[] slice : slices)
            {
                assertThrows(IndexOutOfBoundsException.class, () -> queue.putBytes(buffer, slice[0], slice[1]));
                assertThrows(IndexOutOfBoundsException.class,
                    () -> queue.offerBytes(buffer, slice[0], slice[1], 0, TimeUnit.SECONDS));
                if (queue instanceof SharedQueue<Integer> fifo)
                {
                    assertThrows(IndexOutOfBoundsException.class, () -> fifo.offerBatch(
                        buffer, new int[] {0, slice[0]}, new int[] {4, slice[1]}, 0, 2, 0, TimeUnit.SECONDS));
                }
            }
            assertTrue(queue.isEmpty(), "nothing of a refused put is queued");
            buffer.putInt(22, 7);
            assertTrue(queue.offerBytes(buffer, 22, 4, 1, TimeUnit.SECONDS));
            assertEquals(7, queue.poll(1, TimeUnit.SECONDS));
            final int count = fill(queue);
            assertTrue(count > 0);
            for (int i = 0; i < count; i++)
            {
                assertEquals(type.bound() == 0 || !type.label().equals("lifo") ? i : count - 1 - i,
                    queue.poll(1, TimeUnit.SECONDS));
            }
            assertTrue(queue.isEmpty());
        }
    }

    /**
     * A handler that closes its own handle does not make the close wait for the call it runs in: the close once
     * waited its full 5 s for the receive's wait to end (the calling thread itself), in every receive of a slot queue.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("queues")
    void shouldCloseAtOnceFromInsideAReceiveHandler(final QueueType type) throws Exception
    {
        final String name = type.label().replace(' ', '-') + "-self-close";
        try (AbstractSharedQueue<Integer> creator = type.create().apply(name))
        {
            assertTrue(creator.offer(5));
            final AbstractSharedQueue<Integer> handle = creator instanceof LifoQueue ?
                LifoQueue.open(name, Codecs.INTEGER) : creator instanceof SharedPriorityQueue ?
                SharedPriorityQueue.open(name, Codecs.INTEGER, (e) -> e) : SharedQueue.open(name, Codecs.INTEGER);
            final long[] closeNs = new long[1];
            assertTrue(handle.receive((buffer, offset, length) ->
            {
                final long startNs = System.nanoTime();
                handle.close();
                closeNs[0] = System.nanoTime() - startNs;
            }, 10, TimeUnit.SECONDS));
            assertTrue(closeNs[0] < TimeUnit.SECONDS.toNanos(2), "close took " + closeNs[0] / 1_000_000 + " ms");
            assertThrows(io.ipckit.core.exceptions.ResourceClosedException.class, handle::poll);
            assertTrue(creator.offer(6), "the creator's handle still works");
            assertEquals(6, creator.poll(1, TimeUnit.SECONDS));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("queues")
    void shouldRefuseNullElements(final QueueType type) throws Exception
    {
        try (AbstractSharedQueue<Integer> queue = type.create().apply(type.label().replace(' ', '-') + "-" + "nulls"))
        {
            assertThrows(NullPointerException.class, () -> queue.offer(null));
            assertThrows(NullPointerException.class, () -> queue.offer(null, 1, TimeUnit.SECONDS));
            assertThrows(NullPointerException.class, () -> queue.put(null));
            assertThrows(NullPointerException.class, () -> queue.add(null));
            assertThrows(NullPointerException.class, () -> queue.drainTo(null));
            assertFalse(queue.remove(null), "no queue holds null");
            assertTrue(queue.isEmpty());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("queues")
    void shouldRefuseOfferAndAddWhenFullWithoutWaitingForATimeoutOfZeroOrLess(final QueueType type) throws Exception
    {
        try (AbstractSharedQueue<Integer> queue = type.create().apply(type.label().replace(' ', '-') + "-" + "full"))
        {
            final int count = fill(queue);
            if (type.bound() > 0)
            {
                assertEquals(type.bound(), count);
            }
            assertFalse(queue.offer(-1));
            thrown(IllegalStateException.class, () -> queue.add(-1), "full");
            final long startNs = System.nanoTime();
            assertFalse(queue.offer(-1, 0, TimeUnit.SECONDS));
            assertFalse(queue.offer(-1, -1, TimeUnit.DAYS));
            assertFalse(queue.offer(-1, Long.MIN_VALUE, TimeUnit.NANOSECONDS));
            assertTrue(System.nanoTime() - startNs < TimeUnit.SECONDS.toNanos(5), "none of them waited");
            final long timedNs = System.nanoTime();
            assertFalse(queue.offer(-1, 30, TimeUnit.MILLISECONDS));
            assertTrue(System.nanoTime() - timedNs >= TimeUnit.MILLISECONDS.toNanos(30), "waited the timeout");
            assertEquals(count, queue.size());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("queues")
    void shouldReturnNullOrThrowOnEmptyWithoutWaitingForATimeoutOfZeroOrLess(final QueueType type) throws Exception
    {
        try (AbstractSharedQueue<Integer> queue = type.create().apply(type.label().replace(' ', '-') + "-" + "empty"))
        {
            assertNull(queue.poll());
            assertNull(queue.peek());
            assertThrows(NoSuchElementException.class, queue::remove);
            assertThrows(NoSuchElementException.class, queue::element);
            final long startNs = System.nanoTime();
            assertNull(queue.poll(0, TimeUnit.SECONDS));
            assertNull(queue.poll(-1, TimeUnit.DAYS));
            assertNull(queue.poll(Long.MIN_VALUE, TimeUnit.NANOSECONDS));
            assertTrue(System.nanoTime() - startNs < TimeUnit.SECONDS.toNanos(5), "none of them waited");
            final long timedNs = System.nanoTime();
            assertNull(queue.poll(30, TimeUnit.MILLISECONDS));
            assertTrue(System.nanoTime() - timedNs >= TimeUnit.MILLISECONDS.toNanos(30), "waited the timeout");
            queue.put(7);
            assertEquals(7, queue.element());
            assertEquals(7, queue.peek());
            assertEquals(7, queue.remove());
            assertTrue(queue.isEmpty());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("queues")
    void shouldBlockPutWhileFullAndTakeWhileEmpty(final QueueType type) throws Exception
    {
        try (AbstractSharedQueue<Integer> queue = type.create().apply(type.label().replace(' ', '-') + "-" + "block"))
        {
            final int count = fill(queue);
            final CompletableFuture<Void> put = CompletableFuture.runAsync(() -> call(() ->
            {
                queue.put(-1);
                return null;
            }));
            final Set<Integer> taken = new HashSet<>();
            taken.add(queue.take()); // lets the put in
            put.get(20, TimeUnit.SECONDS);
            for (int i = 0; i < count; i++)
            {
                taken.add(queue.take());
            }
            assertTrue(taken.contains(-1), "the blocked put went in");
            assertEquals(count + 1, taken.size());
            assertTrue(queue.isEmpty());

            final CompletableFuture<Integer> take = CompletableFuture.supplyAsync(() -> call(queue::take));
            final CompletableFuture<Integer> poll =
                CompletableFuture.supplyAsync(() -> call(() -> queue.poll(20, TimeUnit.SECONDS)));
            queue.put(1);
            queue.put(2);
            final Set<Integer> received = Set.of(take.get(20, TimeUnit.SECONDS), poll.get(20, TimeUnit.SECONDS));
            assertEquals(Set.of(1, 2), received);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("queues")
    void shouldThrowInterruptedExceptionFromBlockedPutTakeAndTimedCalls(final QueueType type) throws Exception
    {
        try (AbstractSharedQueue<Integer> queue = type.create().apply(type.label().replace(' ', '-') + "-" + "interrupt"))
        {
            assertInterrupted(queue::take);
            assertInterrupted(() -> queue.poll(1, TimeUnit.MINUTES));
            fill(queue);
            assertInterrupted(() ->
            {
                queue.put(-1);
                return null;
            });
            assertInterrupted(() -> queue.offer(-1, 1, TimeUnit.MINUTES));
            Thread.currentThread().interrupt();
            try
            {
                assertFalse(queue.offer(-1), "a call that does not wait ignores the interrupt");
                assertTrue(Thread.currentThread().isInterrupted(), "and leaves it pending");
            }
            finally
            {
                Thread.interrupted();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("queues")
    void shouldDrainToACollection(final QueueType type) throws Exception
    {
        try (AbstractSharedQueue<Integer> queue = type.create().apply(type.label().replace(' ', '-') + "-" + "drain"))
        {
            queue.put(1);
            queue.put(2);
            final List<Integer> target = new ArrayList<>();
            assertEquals(0, queue.drainTo(target, 0));
            assertEquals(1, queue.drainTo(target, 1));
            assertEquals(1, queue.drainTo(target));
            assertEquals(0, queue.drainTo(target));
            assertEquals(Set.of(1, 2), new HashSet<>(target));
            thrown(IllegalArgumentException.class, () -> queue.drainTo(queue), "itself");
            assertTrue(queue.isEmpty());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("queues")
    void shouldReportSizeIsEmptyAndRemainingCapacity(final QueueType type) throws Exception
    {
        try (AbstractSharedQueue<Integer> queue = type.create().apply(type.label().replace(' ', '-') + "-" + "sizes"))
        {
            final int unbounded = Integer.MAX_VALUE;
            assertEquals(0, queue.size());
            assertTrue(queue.isEmpty());
            assertEquals(type.bound() > 0 ? type.bound() : unbounded, queue.remainingCapacity());
            queue.put(1);
            assertEquals(1, queue.size());
            assertFalse(queue.isEmpty());
            assertEquals(type.bound() > 0 ? type.bound() - 1 : unbounded, queue.remainingCapacity());
            final int count = 1 + fill(queue);
            assertEquals(count, queue.size());
            assertEquals(type.bound() > 0 ? 0 : unbounded, queue.remainingCapacity());
            assertTrue(queue.contains(1));
            assertFalse(queue.contains(-1));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("queues")
    void shouldIterateOverASnapshotAndRemoveThroughTheIterator(final QueueType type) throws Exception
    {
        try (AbstractSharedQueue<Integer> queue = type.create().apply(type.label().replace(' ', '-') + "-" + "iterate"))
        {
            assertFalse(queue.iterator().hasNext());
            queue.put(1);
            queue.put(2);
            final Set<Integer> seen = new HashSet<>();
            final Iterator<Integer> iterator = queue.iterator();
            assertThrows(IllegalStateException.class, iterator::remove);
            while (iterator.hasNext())
            {
                final int element = iterator.next();
                seen.add(element);
                if (element == 1)
                {
                    iterator.remove();
                }
            }
            assertEquals(Set.of(1, 2), seen);
            assertEquals(1, queue.size());
            assertEquals(2, queue.poll());
            assertNull(queue.poll());
        }
    }

    /**
     * A take blocked on an empty queue does not hold up the handle's other threads: a peek, a poll that does not wait,
     * a drain, a contains, a toArray, an iteration and a timed poll of the same handle answer, as
     * {@code ArrayBlockingQueue}'s do while a take awaits its condition. The take then gets the next element, and a
     * close wakes the next take with {@link ResourceClosedException}.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("queues")
    void shouldAnswerTheHandlesOtherCallsWhileATakeWaits(final QueueType type) throws Exception
    {
        try (AbstractSharedQueue<Integer> queue = type.create().apply(type.label().replace(' ', '-') + "-beside-take"))
        {
            final CompletableFuture<Integer> take = takeOnAThreadOfItsOwn(queue);
            final CompletableFuture<List<Object>> answers = CompletableFuture.supplyAsync(() -> call(() ->
                Arrays.asList(queue.peek(), queue.poll(), queue.drainTo(new ArrayList<>()), queue.contains(1),
                    queue.toArray().length, queue.iterator().hasNext(), queue.poll(10, TimeUnit.MILLISECONDS))));
            try
            {
                assertEquals(Arrays.asList(null, null, 0, false, 0, false, null), answers.get(20, TimeUnit.SECONDS));
            }
            catch (final TimeoutException ex)
            {
                throw new AssertionError("the handle's calls that do not wait were held up by its take for 20 s", ex);
            }
            finally
            {
                queue.put(7);
            }
            assertEquals(7, take.get(20, TimeUnit.SECONDS), "the take got the element");

            final CompletableFuture<Integer> closed = takeOnAThreadOfItsOwn(queue);
            queue.close();
            final ExecutionException failure =
                assertThrows(ExecutionException.class, () -> closed.get(20, TimeUnit.SECONDS));
            assertInstanceOf(ResourceClosedException.class, failure.getCause().getCause(), failure.toString());
        }
    }

    /**
     * A take that slept outside the gate and is on its way back in, behind a call of another thread that holds the
     * gate (here the test itself), when that call closes the handle: the take ends with
     * {@link ResourceClosedException} and takes nothing, although an element came. Before, the close waited 5 s for
     * it, and it then took the element from the closed handle.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("queues")
    void shouldEndATakeOnItsWayBackWhenTheCallAheadOfItCloses(final QueueType type) throws Exception
    {
        final String name = type.label().replace(' ', '-') + "-back-in";
        try (AbstractSharedQueue<Integer> queue = type.create().apply(name);
            AbstractSharedQueue<Integer> producer = reopen(type, queue))
        {
            final Thread[] taker = new Thread[1];
            final CompletableFuture<Integer> take = takeOnAThreadOfItsOwn(queue, taker);
            final HandleGate gate = queue.core.consumerGate();
            gate.enter(-1); // a call of this thread: the take, asleep or contended, lets the gate go
            try
            {
                producer.put(1); // wakes the take, which waits to enter again
                Eventually.await("the take waits at the gate", Duration.ofSeconds(10), () ->
                    Arrays.stream(taker[0].getStackTrace()).anyMatch((frame) ->
                        frame.getClassName().equals(HandleGate.class.getName())));
                queue.close(); // from inside this thread's call, as a handler would
                final ExecutionException failure =
                    assertThrows(ExecutionException.class, () -> take.get(20, TimeUnit.SECONDS));
                assertInstanceOf(ResourceClosedException.class, failure.getCause().getCause(), failure.toString());
            }
            finally
            {
                gate.exitIfHeld();
                queue.core.closeIfPending();
            }
            assertEquals(1, producer.poll(), "the element stays in the queue");
        }
    }

    /**
     * Starts a take of the queue on a new thread and waits until it waits.
     */
    private static CompletableFuture<Integer> takeOnAThreadOfItsOwn(final AbstractSharedQueue<Integer> queue)
    {
        return takeOnAThreadOfItsOwn(queue, new Thread[1]);
    }

    /**
     * Starts a take of the queue on a new thread, kept in {@code thread[0]}, and waits until it waits.
     */
    private static CompletableFuture<Integer> takeOnAThreadOfItsOwn(
        final AbstractSharedQueue<Integer> queue, final Thread[] thread)
    {
        final CompletableFuture<Integer> take = new CompletableFuture<>();
        final Thread taker = new Thread(() ->
        {
            try
            {
                take.complete(queue.take());
            }
            catch (final Throwable ex)
            {
                take.completeExceptionally(new IllegalStateException(ex));
            }
        }, "taker");
        thread[0] = taker;
        taker.start();
        Eventually.await("the take waits", Duration.ofSeconds(10), () -> queue.core.guard().hasWaiters());
        return take;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("queues")
    void shouldThrowResourceClosedOnUseAfterClose(final QueueType type) throws Exception
    {
        final AbstractSharedQueue<Integer> queue = type.create().apply(type.label().replace(' ', '-') + "-" + "closed");
        queue.put(1);
        queue.close();
        queue.close(); // idempotent
        assertThrows(ResourceClosedException.class, () -> queue.offer(2));
        assertThrows(ResourceClosedException.class, () -> queue.offer(2, 1, TimeUnit.SECONDS));
        assertThrows(ResourceClosedException.class, () -> queue.put(2));
        assertThrows(ResourceClosedException.class, queue::poll);
        assertThrows(ResourceClosedException.class, () -> queue.poll(1, TimeUnit.SECONDS));
        assertThrows(ResourceClosedException.class, queue::take);
        assertThrows(ResourceClosedException.class, queue::peek);
        assertThrows(ResourceClosedException.class, queue::size);
        assertThrows(ResourceClosedException.class, queue::remainingCapacity);
        assertThrows(ResourceClosedException.class, queue::iterator);
        assertThrows(ResourceClosedException.class, () -> queue.remove(1));
        assertThrows(ResourceClosedException.class, () -> queue.drainTo(new ArrayList<>()));
        try (AbstractSharedQueue<Integer> again = reopen(type, queue))
        {
            assertEquals(1, again.poll(), "the elements stay for the other handles");
            assertTrue(again.unlink());
        }
    }

    private static AbstractSharedQueue<Integer> reopen(final QueueType type, final AbstractSharedQueue<Integer> queue)
    {
        return switch (queue)
        {
            case JoinableQueue<Integer> ignored -> JoinableQueue.open(queue.name(), Codecs.INTEGER);
            case SimpleQueue<Integer> ignored -> SimpleQueue.open(queue.name(), Codecs.INTEGER);
            case SharedQueue<Integer> ignored -> SharedQueue.open(queue.name(), Codecs.INTEGER);
            case LifoQueue<Integer> ignored -> LifoQueue.open(queue.name(), Codecs.INTEGER);
            case SharedPriorityQueue<Integer> ignored -> SharedPriorityQueue.open(queue.name(), Codecs.INTEGER, (e) -> e);
            default -> throw new IllegalArgumentException(type.label());
        };
    }

    /**
     * A call that may throw a checked exception.
     */
    interface Call<T>
    {
        T call() throws Exception;
    }

    private static <T> T call(final Call<T> call)
    {
        try
        {
            return call.call();
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * Runs a call that blocks on another thread, interrupts it, and expects {@link InterruptedException}.
     */
    private static void assertInterrupted(final Call<?> blocking) throws Exception
    {
        final AtomicReference<Throwable> outcome = new AtomicReference<>();
        final Thread thread = new Thread(() ->
        {
            try
            {
                outcome.set(new AssertionError("returned " + blocking.call() + " instead of blocking"));
            }
            catch (final Throwable ex)
            {
                outcome.set(ex);
            }
        });
        thread.start();
        Eventually.await("the call started", Duration.ofSeconds(10), () -> thread.getState() != Thread.State.NEW);
        thread.interrupt();
        thread.join(TimeUnit.SECONDS.toMillis(20));
        assertFalse(thread.isAlive(), "the interrupted call returned");
        assertInstanceOf(InterruptedException.class, outcome.get(), String.valueOf(outcome.get()));
    }
}
