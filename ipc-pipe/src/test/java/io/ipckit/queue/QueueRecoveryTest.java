package io.ipckit.queue;

import io.ipckit.core.codec.Codecs;
import io.ipckit.core.exceptions.CorruptResourceException;
import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.file.ResourceKind;
import io.ipckit.core.process.ProcessIdentity;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.TestDirectory;
import io.ipckit.core.internal.kit.MessageAssembler;
import io.ipckit.core.internal.kit.OwnerToken;
import io.ipckit.pipe.BufferHandler;
import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.ipckit.pipe.Expect.thrown;
import static io.ipckit.queue.QueueDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Deterministic versions of what a SIGKILL leaves behind: locks held by a dead process, a message half-written by a
 * dead producer, and corrupt records.
 */
@Timeout(60)
class QueueRecoveryTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    static long deadToken() throws Exception
    {
        final Process sleeper = new ProcessBuilder("sleep", "60").start();
        final ProcessIdentity identity = ProcessIdentity.of(sleeper.pid()).orElseThrow();
        sleeper.destroyForcibly();
        sleeper.waitFor();
        assertFalse(identity.isAlive());
        return OwnerToken.of(identity);
    }

    /**
     * Polls without waiting, about once a millisecond (each poll may read the tail word once a millisecond has passed
     * since its last read), until an element comes.
     */
    private static byte[] awaitNonBlockingPoll(final SharedQueue<byte[]> queue, final String description)
    {
        final AtomicReference<byte[]> found = new AtomicReference<>();
        Eventually.await(description, Duration.ofSeconds(10), () ->
        {
            found.set(queue.poll());
            return found.get() != null;
        });
        return found.get();
    }

    private static boolean receiveNow(final SharedQueue<byte[]> queue, final BufferHandler handler)
    {
        try
        {
            return queue.receive(handler, 0, TimeUnit.NANOSECONDS);
        }
        catch (final InterruptedException ex)
        {
            throw new AssertionError("not interrupted", ex);
        }
    }

    /**
     * Writes the BEGIN record of a split element at the start of the shared lane's ring, as the dead producer named
     * by {@code owner} left it (the lane's producer word names it too); the caller publishes it.
     *
     * @return where the shared lane's ring starts.
     */
    private static int beginOfDeadWriter(final ResourceFile file, final int payload, final long owner)
    {
        final AtomicBuffer buffer = file.buffer();
        final int data = file.headerLength();
        buffer.putInt(data + RecordDescriptor.FRAME_OFFSET, RecordDescriptor.frame(payload, MessageAssembler.BEGIN));
        buffer.putLong(data + RecordDescriptor.PAYLOAD_OFFSET, owner);
        buffer.putLongVolatile(laneWord(file, 0, LaneDescriptor.PRODUCER_WORD_OFFSET), owner);
        return data;
    }

    static int laneWord(final ResourceFile file, final int lane, final int wordOffset)
    {
        return file.metadataOffset() + QueueDescriptor.lanesOffset() + lane * LaneDescriptor.LENGTH + wordOffset;
    }

    /**
     * Writes a whole element as the first record of an empty lane, as a producer (named by {@code owner}) killed
     * between its two publishing stores leaves it: the tail word counts it, its stamp was never written.
     */
    static void publishUnstamped(
        final ResourceFile file, final int lane, final int capacity, final byte[] element, final long owner)
    {
        final AtomicBuffer buffer = file.buffer();
        final long tailWord = buffer.getLongVolatile(laneWord(file, lane, LaneDescriptor.TAIL_OFFSET));
        final long position = LaneWords.position(tailWord);
        final int record = file.headerLength() + lane * capacity + (int)(position & (capacity - 1));
        buffer.putInt(record + RecordDescriptor.FRAME_OFFSET,
            RecordDescriptor.frame(element.length, MessageAssembler.WHOLE));
        buffer.putBytes(record + RecordDescriptor.PAYLOAD_OFFSET, element);
        buffer.putLongVolatile(laneWord(file, lane, LaneDescriptor.PRODUCER_WORD_OFFSET), owner);
        buffer.putLongRelease(laneWord(file, lane, LaneDescriptor.TAIL_OFFSET), LaneWords.word(
            LaneWords.count(tailWord) + 1, position + RecordDescriptor.recordLength(element.length)));
    }

    @Test
    void shouldTakeOverProducerAndConsumerLocksOfADeadProcess() throws Exception
    {
        final long dead = deadToken();
        try (SharedQueue<String> queue = SharedQueue.create("locks", Codecs.STRING, new QueueOptions().producerLanes(0));
            ResourceFile file = ResourceFile.open("locks", ResourceKind.QUEUE, LAYOUT_VERSION))
        {
            final AtomicBuffer buffer = file.buffer();
            buffer.putLongVolatile(laneWord(file, 0, LaneDescriptor.PRODUCER_WORD_OFFSET), dead);
            buffer.putLongVolatile(laneWord(file, 0, LaneDescriptor.CONSUMER_LOCK_OFFSET), dead);
            assertTrue(queue.offer("after", 10, TimeUnit.SECONDS));
            assertEquals("after", queue.poll(10, TimeUnit.SECONDS));
            assertEquals(0, buffer.getLongVolatile(laneWord(file, 0, LaneDescriptor.PRODUCER_WORD_OFFSET)));
            assertEquals(0, buffer.getLongVolatile(laneWord(file, 0, LaneDescriptor.CONSUMER_LOCK_OFFSET)));
        }
    }

    /**
     * Calls that do not wait for data wait only briefly for a lock; they still take a dead holder's lock over (at
     * most one look at the holder per 50 ms per handle), instead of finding the queue "empty" until a blocking call
     * comes.
     */
    @Test
    void shouldTakeOverADeadHoldersLocksInCallsThatDoNotWait() throws Exception
    {
        final long dead = deadToken();
        try (SharedQueue<String> queue = SharedQueue.create("locks-now", Codecs.STRING,
            new QueueOptions().producerLanes(0));
            ResourceFile file = ResourceFile.open("locks-now", ResourceKind.QUEUE, LAYOUT_VERSION))
        {
            final AtomicBuffer buffer = file.buffer();
            buffer.putLongVolatile(laneWord(file, 0, LaneDescriptor.PRODUCER_WORD_OFFSET), dead);
            buffer.putLongVolatile(laneWord(file, 0, LaneDescriptor.CONSUMER_LOCK_OFFSET), dead);
            assertTrue(queue.offer("now"), "offer without waiting took the producer lock over");
            assertEquals("now", queue.poll(), "poll without waiting took the consumer lock over");
            assertNull(queue.poll());
        }
    }

    @Test
    void shouldTakeOverTheExclusiveLaneOfADeadProducerAndKeepItsElements() throws Exception
    {
        final long dead = deadToken();
        try (SharedQueue<String> queue = SharedQueue.create("lanes", Codecs.STRING, new QueueOptions().producerLanes(2));
            ResourceFile file = ResourceFile.open("lanes", ResourceKind.QUEUE, LAYOUT_VERSION))
        {
            // lane 1: an element committed by a producer that then died without giving the lane back
            try (SharedQueue<String> other = SharedQueue.open("lanes", Codecs.STRING))
            {
                other.put("committed by the dead");
                assertEquals(1, other.fifo().producerLane());
            }
            final AtomicBuffer buffer = file.buffer();
            buffer.putLongVolatile(laneWord(file, 1, LaneDescriptor.PRODUCER_WORD_OFFSET), dead);
            queue.put("after");
            assertEquals(1, queue.fifo().producerLane(), "the dead producer's lane is taken over");
            assertEquals(OwnerToken.current(),
                buffer.getLongVolatile(laneWord(file, 1, LaneDescriptor.PRODUCER_WORD_OFFSET)));
            try (SharedQueue<String> live = SharedQueue.open("lanes", Codecs.STRING))
            {
                live.put("from a live handle");
                assertEquals(2, live.fifo().producerLane());
                final java.util.List<String> taken = new java.util.ArrayList<>();
                queue.drainTo(taken);
                assertEquals(java.util.Set.of("committed by the dead", "from a live handle", "after"),
                    new java.util.HashSet<>(taken));
                assertTrue(taken.indexOf("committed by the dead") < taken.indexOf("after"),
                    "one lane keeps its order: " + taken);
            }
            assertEquals(0, buffer.getLongVolatile(laneWord(file, 2, LaneDescriptor.PRODUCER_WORD_OFFSET)),
                "a closed handle gives its lane back");
            try (SharedQueue<String> fourth = SharedQueue.open("lanes", Codecs.STRING);
                SharedQueue<String> fifth = SharedQueue.open("lanes", Codecs.STRING))
            {
                fourth.put("x");
                fifth.put("y");
                assertEquals(2, fourth.fifo().producerLane());
                assertEquals(0, fifth.fifo().producerLane(), "no free lane: the shared one");
                assertEquals(2, queue.size());
            }
        }
    }

    @Test
    void shouldTakeOverTheLockOfASlotQueueAndRecountAfterADeadHolder() throws Exception
    {
        final long dead = deadToken();
        try (LifoQueue<Long> queue = LifoQueue.create("slots", Codecs.LONG, new QueueOptions().maxElements(4));
            ResourceFile file = ResourceFile.open("slots", ResourceKind.QUEUE, LAYOUT_VERSION))
        {
            queue.put(1L);
            queue.put(2L);
            final AtomicBuffer buffer = file.buffer();
            // as if the holder died between publishing a slot and counting it
            buffer.putLongVolatile(file.metadataOffset() + HEAD_OFFSET, 1);
            buffer.putLongVolatile(file.metadataOffset() + PRODUCER_LOCK_OFFSET, dead);
            assertTrue(queue.offer(3L, 10, TimeUnit.SECONDS));
            assertEquals(3, queue.size());
            assertEquals(3L, queue.take());
            assertEquals(2L, queue.take());
            assertEquals(1L, queue.take());

            queue.put(4L);
            // as if the holder died between publishing its slot and counting it, the first: the count says empty
            buffer.putLongVolatile(file.metadataOffset() + HEAD_OFFSET, 0);
            buffer.putLongVolatile(file.metadataOffset() + PRODUCER_LOCK_OFFSET, dead);
            final List<Long> drained = new ArrayList<>();
            // before: a drain looked at the count alone, and found nothing for as long as no poll or offer came;
            // now it takes the lock over once its liveness look is due, as a poll does
            Eventually.await("a drain took the element over", Duration.ofSeconds(10),
                () -> queue.drainTo(drained) == 1);
            assertEquals(List.of(4L), drained);
        }
    }

    @Test
    void shouldDiscardAMessageHalfWrittenByADeadProducerAndCountItDone() throws Exception
    {
        final long dead = deadToken();
        try (JoinableQueue<byte[]> queue = JoinableQueue.create("torn", Codecs.BYTES,
            new QueueOptions().capacityBytes(1024));
            ResourceFile file = ResourceFile.open("torn", ResourceKind.QUEUE, LAYOUT_VERSION))
        {
            final AtomicBuffer buffer = file.buffer();
            final int payload = 8 + 40;
            // published by the tail word only, never stamped: the producer died between the two stores
            beginOfDeadWriter(file, payload, dead);
            buffer.putLongVolatile(laneWord(file, 0, LaneDescriptor.IN_PROGRESS_OFFSET),
                RecordDescriptor.recordLength(payload) | (1L << 62));
            buffer.putLongRelease(laneWord(file, 0, LaneDescriptor.TAIL_OFFSET),
                LaneWords.word(1, RecordDescriptor.recordLength(payload)));
            assertEquals(1, queue.unfinishedTasks());

            assertNull(queue.poll(2, TimeUnit.SECONDS), "the torn message is never delivered");
            assertEquals(0, queue.unfinishedTasks(), "the discarded message counts as done");
            assertTrue(queue.join(1, TimeUnit.SECONDS));
            final byte[] element = new byte[500];
            assertTrue(queue.offer(element, 10, TimeUnit.SECONDS));
            assertEquals(500, queue.poll(10, TimeUnit.SECONDS).length);
        }
    }

    /**
     * An element left unfinished (a BEGIN and a MIDDLE record, its writer gone), then a split element that is
     * removed: the removal marks only the second element's first record. Before, a take went on assembling the first
     * element across that mark and completed it with the removed element's rest: one torn element.
     */
    @Test
    void shouldNotCompleteAnAbandonedElementWithTheRestOfARemovedOne() throws Exception
    {
        final long dead = deadToken();
        try (JoinableQueue<byte[]> queue = JoinableQueue.create("glued", Codecs.BYTES,
            new QueueOptions().capacityBytes(1024));
            ResourceFile file = ResourceFile.open("glued", ResourceKind.QUEUE, LAYOUT_VERSION))
        {
            final AtomicBuffer buffer = file.buffer();
            final int begin = 8 + 40;
            final int middle = 40;
            final int second = beginOfDeadWriter(file, begin, dead) + RecordDescriptor.recordLength(begin);
            buffer.putInt(second + RecordDescriptor.FRAME_OFFSET, RecordDescriptor.frame(middle, MessageAssembler.MIDDLE));
            // no element in progress: its writer gave it up, or a takeover cleared the word
            buffer.putLongRelease(laneWord(file, 0, LaneDescriptor.TAIL_OFFSET),
                LaneWords.word(1, RecordDescriptor.recordLength(begin) + RecordDescriptor.recordLength(middle)));

            final byte[] removed = new byte[500]; // split over several records
            java.util.Arrays.fill(removed, (byte)7);
            assertTrue(queue.offer(removed, 10, TimeUnit.SECONDS));
            assertTrue(queue.remove(removed), "the split element behind the abandoned one is found");
            // size() still counts the abandoned element here: before, a stream sized by it failed ("End size 0 is
            // less than fixed size 1")
            assertEquals(List.of(), queue.stream().map((e) -> e.length).toList(), "a walk sees nothing either");
            final byte[] taken = queue.poll();
            assertNull(taken, "nothing is left to take, but got " + (taken == null ? 0 : taken.length) + " bytes");
            assertEquals(0, queue.unfinishedTasks(), "the abandoned and the removed element count as done");
            assertTrue(queue.offer(new byte[]{1, 2}, 10, TimeUnit.SECONDS));
            assertArrayEquals(new byte[]{1, 2}, queue.poll(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void shouldDeliverAnElementItsDeadProducerPublishedButNeverStamped() throws Exception
    {
        final long dead = deadToken();
        try (SharedQueue<byte[]> queue = SharedQueue.create("unstamped", Codecs.BYTES,
            new QueueOptions().capacityBytes(1024));
            ResourceFile file = ResourceFile.open("unstamped", ResourceKind.QUEUE, LAYOUT_VERSION))
        {
            final byte[] element = {7, 8, 9};
            publishUnstamped(file, 0, 1024, element, dead);
            assertEquals(0, file.buffer().getInt(file.headerLength() + RecordDescriptor.stampIndex(0, 1023)),
                "unstamped");
            assertEquals(1, queue.size());

            assertArrayEquals(element, queue.poll(10, TimeUnit.SECONDS), "found through the tail word");
            assertTrue(queue.offer(new byte[] {1}, 10, TimeUnit.SECONDS), "the dead producer's lock is taken over");
            assertArrayEquals(new byte[] {1}, queue.poll(10, TimeUnit.SECONDS));
            assertNull(queue.poll());
        }
    }

    @Test
    void shouldLetNonBlockingPollsFindAnElementItsDeadProducerNeverStamped() throws Exception
    {
        final long dead = deadToken();
        try (SharedQueue<byte[]> queue = SharedQueue.create("unstamped-poll", Codecs.BYTES,
            new QueueOptions().capacityBytes(1024));
            ResourceFile file = ResourceFile.open("unstamped-poll", ResourceKind.QUEUE, LAYOUT_VERSION))
        {
            assertNull(queue.poll(), "empty: this look read the tail word");
            final byte[] element = {4, 5, 6};
            publishUnstamped(file, 0, 1024, element, dead);
            // a consumer that only polls (never waits, so never registers) reads the tail word again a millisecond
            // after its last read; Eventually polls about once a millisecond
            assertArrayEquals(element, awaitNonBlockingPoll(queue, "a non-blocking poll finds the element"));
            assertNull(queue.poll());
        }
    }

    @Test
    void shouldLetNonBlockingDrainsAndReceivesFindElementsTheirDeadProducersNeverStamped() throws Exception
    {
        final long dead = deadToken();
        try (SharedQueue<byte[]> queue = SharedQueue.create("unstamped-drain", Codecs.BYTES,
            new QueueOptions().capacityBytes(1024).producerLanes(1));
            ResourceFile file = ResourceFile.open("unstamped-drain", ResourceKind.QUEUE, LAYOUT_VERSION))
        {
            final List<byte[]> drained = new ArrayList<>();
            final BufferHandler collect = (buffer, offset, length) ->
            {
                final byte[] bytes = new byte[length];
                buffer.getBytes(offset, bytes);
                drained.add(bytes);
            };
            assertEquals(0, queue.drain(collect, 8), "empty");
            final byte[] first = {1, 2};
            publishUnstamped(file, 1, 1024, first, dead);
            // an empty look costs no lock and no clock read, but every 64th one of a lane reads the clock, and its
            // tail word when a millisecond has passed since the last read: drains that never wait find the element
            Eventually.await("a non-blocking drain finds the element in lane 1", Duration.ofSeconds(10),
                () -> queue.drain(collect, 8) > 0);
            assertEquals(1, drained.size());
            assertArrayEquals(first, drained.get(0));

            final byte[] second = {3, 4, 5};
            publishUnstamped(file, 1, 1024, second, dead);
            drained.clear();
            Eventually.await("a zero-copy receive that does not wait finds the next one", Duration.ofSeconds(10),
                () -> receiveNow(queue, collect));
            assertArrayEquals(second, drained.get(0));
            assertEquals(0, queue.drain(collect, 8));
            assertFalse(queue.receive(collect, 0, TimeUnit.NANOSECONDS));
        }
    }

    /**
     * A remover killed at each point of a removal of the second of three elements: after writing the removal words,
     * after marking the record, after storing the head word. The consumer that takes its lock over completes the
     * removal from the removal words, whichever it was, and the counts come out right; also when the lock word no
     * longer names the dead remover (a taking of the lock from its bias can lose that notice).
     */
    @ParameterizedTest
    @CsvSource({"1, true", "2, true", "3, true", "1, false", "2, false"})
    void shouldCompleteTheRemovalOfARemoverKilledInTheMiddle(final int storesDone, final boolean deadHolder)
        throws Exception
    {
        final long dead = deadToken();
        try (SharedQueue<String> queue = SharedQueue.create("removed-dead", Codecs.STRING,
            new QueueOptions().capacityBytes(1024).producerLanes(0));
            ResourceFile file = ResourceFile.open("removed-dead", ResourceKind.QUEUE, LAYOUT_VERSION))
        {
            final AtomicBuffer buffer = file.buffer();
            final int ring = file.headerLength();
            queue.put("first");
            final int second = (int)LaneWords.position(
                buffer.getLongVolatile(laneWord(file, 0, LaneDescriptor.TAIL_OFFSET)));
            queue.put("second");
            queue.put("third");
            final long headWord = buffer.getLongVolatile(laneWord(file, 0, LaneDescriptor.HEAD_OFFSET));
            final long removalHead = LaneWords.word(LaneWords.count(headWord) + 1,
                LaneWords.position(headWord));
            if (deadHolder)
            {
                buffer.putLongVolatile(laneWord(file, 0, LaneDescriptor.CONSUMER_LOCK_OFFSET), dead);
            }
            buffer.putLong(laneWord(file, 0, LaneDescriptor.REMOVAL_HEAD_OFFSET), removalHead);
            buffer.putLongVolatile(laneWord(file, 0, LaneDescriptor.REMOVING_OFFSET), second + 1);
            if (storesDone >= 2)
            {
                final int frame = buffer.getInt(ring + second);
                assertEquals(MessageAssembler.WHOLE, RecordDescriptor.frameType(frame), "the second element's record");
                buffer.putIntVolatile(ring + second, RecordDescriptor.frame(RecordDescriptor.frameLength(frame),
                    RecordDescriptor.REMOVED));
            }
            if (storesDone >= 3)
            {
                buffer.putLongVolatile(laneWord(file, 0, LaneDescriptor.HEAD_OFFSET), removalHead);
            }
            // the first consumer call takes the dead remover's lock over and completes the removal
            assertEquals(java.util.List.of("first", "third"), new java.util.ArrayList<>(queue));
            assertEquals(0, buffer.getLongVolatile(laneWord(file, 0, LaneDescriptor.REMOVING_OFFSET)));
            assertEquals(2, queue.size());
            assertFalse(queue.contains("second"));
            assertEquals("first", queue.poll());
            assertEquals("third", queue.poll());
            assertNull(queue.poll());
            assertEquals(0, queue.size(), "every element counted out exactly once");
            queue.put("after");
            assertEquals(1, queue.size());
        }
    }

    /**
     * Byte positions wrap at 2^40 (a lane that has carried 1 TiB): walks and removals that run from the head to the
     * tail compare positions the way the tail word holds them, and stop there.
     */
    @Test
    void shouldWalkAndRemoveAcrossTheWrapOfPositions() throws Exception
    {
        try (SharedQueue<byte[]> queue = SharedQueue.create("wrap", Codecs.BYTES,
            new QueueOptions().capacityBytes(1024).producerLanes(0));
            ResourceFile file = ResourceFile.open("wrap", ResourceKind.QUEUE, LAYOUT_VERSION))
        {
            final AtomicBuffer buffer = file.buffer();
            final long nearWrap = (1L << 40) - 64; // ring index 960: a 100-byte element pads to the ring's end
            buffer.putLongVolatile(laneWord(file, 0, LaneDescriptor.HEAD_OFFSET), LaneWords.word(0, nearWrap));
            buffer.putLongVolatile(laneWord(file, 0, LaneDescriptor.TAIL_OFFSET), LaneWords.word(0, nearWrap));
            final byte[] only = new byte[100];
            java.util.Arrays.fill(only, (byte)7);
            queue.put(only);
            final long tailWord = buffer.getLongVolatile(laneWord(file, 0, LaneDescriptor.TAIL_OFFSET));
            assertTrue(LaneWords.position(tailWord) < nearWrap, "the tail wrapped");
            assertEquals(1, new java.util.ArrayList<>(queue).size(), "the walk stops at the tail");
            assertTrue(queue.remove(only));
            assertEquals(LaneWords.position(tailWord), LaneWords.position(
                buffer.getLongVolatile(laneWord(file, 0, LaneDescriptor.HEAD_OFFSET))), "the head moved to the tail");
            assertEquals(0, queue.size());
            assertNull(queue.poll());
            queue.put(new byte[] {1, 2});
            assertArrayEquals(new byte[] {1, 2}, queue.poll());
        }
    }

    /**
     * Consumers advertise their head in the lane's head hint once per call; a consumer killed between its last head
     * store and its hint store leaves the hint behind, hiding room: a wait reads the head word itself, and so does a
     * non-blocking call at least once per liveness interval.
     */
    @Test
    void shouldFindRoomThatAHeadHintLeftBehindByAKilledConsumerHides() throws Exception
    {
        try (SharedQueue<byte[]> queue = SharedQueue.create("stale-hint", Codecs.BYTES,
            new QueueOptions().capacityBytes(1024));
            ResourceFile file = ResourceFile.open("stale-hint", ResourceKind.QUEUE, LAYOUT_VERSION))
        {
            final AtomicBuffer buffer = file.buffer();
            final byte[] element = new byte[100];
            int put = 0;
            while (queue.offer(element))
            {
                put++;
            }
            assertTrue(put > 1, "the ring filled");
            for (int i = 0; i < put; i++)
            {
                assertNotNull(queue.poll());
            }
            final long head = buffer.getLongVolatile(laneWord(file, 0, LaneDescriptor.HEAD_OFFSET));
            assertEquals(head, buffer.getLongVolatile(laneWord(file, 0, LaneDescriptor.HEAD_HINT_OFFSET)),
                "each call advertised its head");
            // a consumer killed after its head stores and before its hint store: the hint says the ring is full
            buffer.putLongVolatile(laneWord(file, 0, LaneDescriptor.HEAD_HINT_OFFSET), 0L);
            try (SharedQueue<byte[]> producer = SharedQueue.open("stale-hint", Codecs.BYTES);
                SharedQueue<byte[]> other = SharedQueue.open("stale-hint", Codecs.BYTES))
            {
                assertTrue(producer.offer(element, 10, TimeUnit.SECONDS), "a fresh producer reads the head word itself");
                Eventually.await("a non-blocking offer finds the room within a liveness interval",
                    Duration.ofSeconds(10), () -> other.offer(element));
            }
            assertEquals(2, queue.size());
            assertNotNull(queue.poll());
            assertEquals(buffer.getLongVolatile(laneWord(file, 0, LaneDescriptor.HEAD_OFFSET)),
                buffer.getLongVolatile(laneWord(file, 0, LaneDescriptor.HEAD_HINT_OFFSET)), "advertised again");
        }
    }

    @Test
    void shouldLetNonBlockingPollsFindAnUnstampedElementInALaneTheyLookAtSecond() throws Exception
    {
        final long dead = deadToken();
        try (SharedQueue<byte[]> queue = SharedQueue.create("unstamped-second", Codecs.BYTES,
            new QueueOptions().capacityBytes(1024).producerLanes(1));
            ResourceFile file = ResourceFile.open("unstamped-second", ResourceKind.QUEUE, LAYOUT_VERSION))
        {
            try (SharedQueue<byte[]> producer = SharedQueue.open("unstamped-second", Codecs.BYTES))
            {
                producer.put(new byte[] {1});
                assertEquals(1, producer.fifo().producerLane());
            }
            // taken from lane 1: this consumer's polls now look at lane 0 first, then at lane 1
            assertArrayEquals(new byte[] {1}, queue.poll());
            final byte[] element = {7, 8};
            publishUnstamped(file, 1, 1024, element, dead);
            // each poll finds no stamp in lane 0 and reads its tail word when a millisecond has passed; lane 1 has
            // its own millisecond (one for both lanes was always just taken by lane 0, and lane 1 never looked)
            assertArrayEquals(element, awaitNonBlockingPoll(queue, "a non-blocking poll finds the element in lane 1"));
            assertNull(queue.poll());
        }
    }

    @Test
    void shouldDeliverTheUnstampedLastElementOfADeadLaneOwnerBeforeItsSuccessorsElements() throws Exception
    {
        final long dead = deadToken();
        try (SharedQueue<byte[]> queue = SharedQueue.create("unstamped-lane", Codecs.BYTES,
            new QueueOptions().capacityBytes(1024).producerLanes(1));
            ResourceFile file = ResourceFile.open("unstamped-lane", ResourceKind.QUEUE, LAYOUT_VERSION))
        {
            final byte[] last = {4, 2};
            publishUnstamped(file, 1, 1024, last, dead);
            try (SharedQueue<byte[]> successor = SharedQueue.open("unstamped-lane", Codecs.BYTES))
            {
                successor.put(new byte[] {1});
                successor.put(new byte[] {2});
                assertEquals(1, successor.fifo().producerLane(), "the dead owner's lane was taken over");
            }
            // its elements are stamped, the dead owner's is not: the lane's order holds all the same
            assertArrayEquals(last, queue.poll(10, TimeUnit.SECONDS));
            assertArrayEquals(new byte[] {1}, queue.poll(10, TimeUnit.SECONDS));
            assertArrayEquals(new byte[] {2}, queue.poll(10, TimeUnit.SECONDS));
            assertNull(queue.poll());
        }
    }

    @Test
    void shouldNotMistakeAStampOfAnEarlierLapForAPublishedRecord() throws Exception
    {
        try (SharedQueue<byte[]> queue = SharedQueue.create("laps", Codecs.BYTES,
            new QueueOptions().capacityBytes(1024));
            ResourceFile file = ResourceFile.open("laps", ResourceKind.QUEUE, LAYOUT_VERSION))
        {
            final AtomicBuffer buffer = file.buffer();
            final int data = file.headerLength();
            // one lap of 128 records of 8 bytes, taken: the head is back at ring index 0, one lap on
            for (int i = 0; i < 128; i++)
            {
                assertTrue(queue.offer(new byte[0]));
                assertNotNull(queue.poll());
            }
            // the first lap's first stamp stored late by its producer (after a consumer took its record through the
            // tail word), where the head record's stamp goes (the ring's last word), over a header that looks
            // published
            buffer.putInt(data + RecordDescriptor.FRAME_OFFSET, RecordDescriptor.frame(0, MessageAssembler.WHOLE));
            assertEquals(1020, RecordDescriptor.stampIndex(1024, 1023));
            buffer.putIntVolatile(data + RecordDescriptor.stampIndex(0, 1023), RecordDescriptor.commitStamp(0));
            assertNull(queue.poll(), "which names another position than the head's");
            assertNull(queue.poll(200, TimeUnit.MILLISECONDS), "also once the tail word is read");
            assertTrue(queue.offer(new byte[] {5}));
            assertArrayEquals(new byte[] {5}, queue.poll());
        }
    }

    @Test
    void shouldKeepTheHeadRecordsStampWhenARecordFillsTheRingExactly() throws Exception
    {
        try (SharedQueue<byte[]> queue = SharedQueue.create("full", Codecs.BYTES,
            new QueueOptions().capacityBytes(1024));
            ResourceFile file = ResourceFile.open("full", ResourceKind.QUEUE, LAYOUT_VERSION))
        {
            final AtomicBuffer buffer = file.buffer();
            final int data = file.headerLength();
            for (int lap = 0; lap < 3; lap++)
            {
                // 128 records of 8 bytes fill the 1024-byte ring exactly: the last one's trailer is the word that
                // holds the head record's stamp, and must not be zeroed
                for (int i = 0; i < 128; i++)
                {
                    assertTrue(queue.offer(new byte[0]), "lap " + lap + ", element " + i);
                }
                assertFalse(queue.offer(new byte[0]), "full");
                final long head = 1024L * lap;
                assertEquals(RecordDescriptor.commitStamp(head),
                    buffer.getIntVolatile(data + RecordDescriptor.stampIndex(head, 1023)), "the head is stamped");
                for (int i = 0; i < 128; i++)
                {
                    assertNotNull(queue.poll(), "lap " + lap + ", element " + i);
                }
                assertNull(queue.poll());
            }
        }
    }

    /**
     * A record frame another program overwrote: longer than the ring, or a BEGIN record shorter than the 8 bytes that
     * name its writer (before: an IndexOutOfBoundsException from a negative payload length, on every later poll).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"too-long", "short-begin"})
    void shouldRefuseACorruptRecordWithoutCrashing(final String name) throws Exception
    {
        try (SharedQueue<byte[]> queue = SharedQueue.create(name, Codecs.BYTES, new QueueOptions().capacityBytes(1024));
            ResourceFile file = ResourceFile.open(name, ResourceKind.QUEUE, LAYOUT_VERSION))
        {
            queue.put(new byte[16]);
            final int frame = name.equals("too-long") ? RecordDescriptor.frame(1 << 20, MessageAssembler.WHOLE) :
                RecordDescriptor.frame(4, MessageAssembler.BEGIN);
            file.buffer().putInt(file.headerLength() + RecordDescriptor.FRAME_OFFSET, frame);
            for (int poll = 0; poll < 2; poll++)
            {
                thrown(CorruptResourceException.class, () -> queue.poll(1, TimeUnit.SECONDS), "corrupt record",
                    "\"" + name + "\"");
            }
        }
    }

    @Test
    void shouldRefuseASlotWhoseLengthWordIsCorruptAndKeepIt() throws Exception
    {
        try (LifoQueue<Long> queue = LifoQueue.create("bad-slot", Codecs.LONG, new QueueOptions().maxElements(4));
            ResourceFile file = ResourceFile.open("bad-slot", ResourceKind.QUEUE, LAYOUT_VERSION))
        {
            queue.put(7L);
            final AtomicBuffer buffer = file.buffer();
            final int slotLength = SlotDescriptor.slotLength(
                buffer.getInt(file.metadataOffset() + QueueDescriptor.SLOT_PAYLOAD_BYTES_OFFSET));
            for (int slot = 0; slot < 4; slot++)
            {
                buffer.putInt(file.headerLength() + slot * slotLength + SlotDescriptor.LENGTH_OFFSET, 1 << 20);
            }
            // before: the codec read past the slot, and the take's finally freed it: the element was lost
            thrown(CorruptResourceException.class, () -> queue.poll(1, TimeUnit.SECONDS), "corrupt element",
                "\"bad-slot\"");
            assertEquals(1, queue.size(), "the slot is kept");
            thrown(CorruptResourceException.class, queue::poll, "corrupt element", "\"bad-slot\"");
        }
    }

    @Test
    @Timeout(60)
    void shouldRefuseAWalkTowardsATailItsRecordsCannotReach() throws Exception
    {
        int length = 8;
        while (1024 % RecordDescriptor.recordLength(length) != 0)
        {
            length++;
        }
        try (SharedQueue<byte[]> queue = SharedQueue.create("lost-tail", Codecs.BYTES,
            new QueueOptions().capacityBytes(1024));
            ResourceFile file = ResourceFile.open("lost-tail", ResourceKind.QUEUE, LAYOUT_VERSION))
        {
            // records of one length tile the whole ring once it has gone round
            for (int i = 0; i < 2 * 1024 / RecordDescriptor.recordLength(length); i++)
            {
                queue.put(new byte[length]);
                assertNotNull(queue.poll());
            }
            queue.put(new byte[length]);
            final int tailAt = laneWord(file, 0, LaneDescriptor.TAIL_OFFSET);
            final long tailWord = file.buffer().getLongVolatile(tailAt);
            file.buffer().putLongVolatile(tailAt,
                LaneWords.word(LaneWords.count(tailWord), LaneWords.position(tailWord) + 4));
            // before: the walk circled the ring for good, growing the snapshot until the heap ran out
            thrown(CorruptResourceException.class, queue::toArray, "past its tail", "\"lost-tail\"");
        }
    }

    @Test
    void shouldRefuseAQueueFileWithACorruptLayout()
    {
        try (SharedQueue<byte[]> queue = SharedQueue.create("layout", Codecs.BYTES, new QueueOptions());
            ResourceFile file = ResourceFile.open("layout", ResourceKind.QUEUE, LAYOUT_VERSION))
        {
            file.buffer().putInt(file.metadataOffset() + CAPACITY_OFFSET, 1000);
            thrown(CorruptResourceException.class, () -> SharedQueue.open("layout", Codecs.BYTES), "corrupt layout");
        }
    }

    /**
     * The longest element is a layout word as the others are. Before, a negative one (or one longer than a slot)
     * was taken as it was, and every put then threw {@link IllegalArgumentException}, blaming its caller.
     */
    @ParameterizedTest
    @CsvSource({"fifo, -7", "lifo, -7", "lifo, 65"})
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldRefuseAQueueFileWhoseLongestElementWordIsCorrupt(final String variant, final int maxMessageBytes)
    {
        final String name = "max-" + variant + maxMessageBytes;
        final QueueOptions options = new QueueOptions().maxMessageBytes(40);
        if (variant.equals("lifo"))
        {
            options.slotBytes(64).maxElements(4);
            LifoQueue.create(name, Codecs.BYTES, options).close();
        }
        else
        {
            SharedQueue.create(name, Codecs.BYTES, options).close();
        }
        try (ResourceFile file = ResourceFile.open(name, ResourceKind.QUEUE, LAYOUT_VERSION))
        {
            file.buffer().putInt(file.metadataOffset() + MAX_MESSAGE_BYTES_OFFSET, maxMessageBytes);
            thrown(CorruptResourceException.class, () -> (variant.equals("lifo") ?
                LifoQueue.open(name, Codecs.BYTES) : SharedQueue.open(name, Codecs.BYTES)).close(),
                "\"" + name + "\"", "corrupt layout", "longest element " + maxMessageBytes + " bytes", "unlink it");
            file.unlink();
        }
    }
}
