package io.ipckit.queue;

import io.ipckit.core.codec.Codecs;
import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.file.ResourceKind;
import io.ipckit.core.internal.kit.OwnerToken;
import io.ipckit.core.testing.TestDirectory;
import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.ipckit.pipe.Expect.thrown;
import static io.ipckit.queue.QueueDescriptor.LAYOUT_VERSION;
import static io.ipckit.queue.QueueRecoveryTest.deadToken;
import static io.ipckit.queue.QueueRecoveryTest.laneWord;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A FIFO queue whose producer lanes are ordered by tickets ({@link QueueOptions#fifoAcrossProducers}): each handle
 * below claims a lane of its own, so without the tickets a consumer would take the lanes in turn and the orders
 * checked here would not hold. The states a SIGKILL leaves are written into the file directly; the real kills are in
 * {@link QueueProcessTest}.
 */
@Timeout(60)
class OrderedLanesTest
{
    private static final QueueOptions ORDERED = new QueueOptions().producerLanes(3).fifoAcrossProducers(true);

    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldTakeElementsOfDifferentLanesInTheOrderTheyWerePut() throws Exception
    {
        try (SharedQueue<String> consumer = SharedQueue.create("order", Codecs.STRING, ORDERED);
            SharedQueue<String> a = SharedQueue.open("order", Codecs.STRING);
            SharedQueue<String> b = SharedQueue.open("order", Codecs.STRING);
            SharedQueue<String> c = SharedQueue.open("order", Codecs.STRING))
        {
            final List<String> expected = new ArrayList<>();
            final SharedQueue<?>[] producers = {a, b, c, b, b, a, c, c, a, b};
            for (int i = 0; i < producers.length; i++)
            {
                @SuppressWarnings("unchecked") final SharedQueue<String> producer = (SharedQueue<String>)producers[i];
                producer.put("e" + i);
                expected.add("e" + i);
            }
            assertEquals(java.util.Set.of(1, 2, 3),
                java.util.Set.of(a.fifo().producerLane(), b.fifo().producerLane(), c.fifo().producerLane()),
                "three exclusive lanes");
            assertEquals(expected.size(), consumer.size());
            assertEquals("e0", consumer.peek(), "peek shows the first put");
            assertEquals(expected, new ArrayList<>(consumer), "iteration in put order");
            final List<String> taken = new ArrayList<>();
            assertEquals(3, consumer.drainTo(taken, 3));
            while (taken.size() < expected.size())
            {
                taken.add(consumer.take());
            }
            assertEquals(expected, taken);
            assertNull(consumer.poll());
        }
    }

    @Test
    void shouldOrderClaimsByTheClaimAbortsAtOnceAndSplitElementsByTheirStart() throws Exception
    {
        try (SharedQueue<byte[]> consumer = SharedQueue.create("commit", Codecs.BYTES,
            new QueueOptions().producerLanes(2).fifoAcrossProducers(true).capacityBytes(4096));
            SharedQueue<byte[]> a = SharedQueue.open("commit", Codecs.BYTES);
            SharedQueue<byte[]> b = SharedQueue.open("commit", Codecs.BYTES))
        {
            final int index = a.tryClaim(Long.BYTES);
            assertTrue(index >= 0);
            assertEquals(0, index & 7, "a claim in an ordered queue is 8-byte aligned");
            a.claimBuffer().putLong(index, 7L);
            b.put(new byte[] {1}); // after the claim: its ticket is later
            a.commit(index);
            final int aborted = b.tryClaim(Long.BYTES);
            a.put(new byte[] {3});
            b.abort(aborted);
            final byte[] large = new byte[3000]; // split over several records of a 4 KiB ring
            Arrays.fill(large, (byte)5);
            a.put(large);
            b.put(new byte[] {2});
            final byte[] claimed = consumer.take();
            assertEquals(7L, java.nio.ByteBuffer.wrap(claimed).order(java.nio.ByteOrder.nativeOrder()).getLong());
            assertArrayEquals(new byte[] {1}, consumer.take());
            // the aborted claim's ticket is passed at once: a poll that does not wait finds the next element
            assertArrayEquals(new byte[] {3}, consumer.poll());
            assertArrayEquals(large, consumer.take());
            assertArrayEquals(new byte[] {2}, consumer.take());
            assertNull(consumer.poll());
        }
    }

    @Test
    void shouldRemoveAnElementAndPassItsTicket() throws Exception
    {
        try (SharedQueue<String> consumer = SharedQueue.create("remove", Codecs.STRING, ORDERED);
            SharedQueue<String> a = SharedQueue.open("remove", Codecs.STRING);
            SharedQueue<String> b = SharedQueue.open("remove", Codecs.STRING))
        {
            a.put("a1");
            b.put("b1");
            a.put("a2");
            b.put("b2");
            assertTrue(consumer.remove("b1"));
            assertTrue(consumer.remove("a1"));
            assertFalse(consumer.remove("b1"));
            assertEquals(2, consumer.size());
            assertEquals(List.of("a2", "b2"), new ArrayList<>(consumer));
            assertEquals("a2", consumer.take());
            assertEquals("b2", consumer.take());
            assertNull(consumer.poll());
        }
    }

    /**
     * A batch takes its tickets at once: a producer that died before publishing it leaves a block of them, passed at
     * the look that passes its first (one ticket per look would take 1000 looks of 50 ms or more).
     */
    @ParameterizedTest(name = "tickets taken: {0}")
    @ValueSource(ints = {1, 1000})
    void shouldPassTheTicketsItsProducerDiedWithAndWaitForThoseALiveProducerAnnounced(final int tickets)
        throws Exception
    {
        final long dead = deadToken();
        try (SharedQueue<String> consumer = SharedQueue.create("lost", Codecs.STRING, ORDERED);
            SharedQueue<String> a = SharedQueue.open("lost", Codecs.STRING);
            ResourceFile file = ResourceFile.open("lost", ResourceKind.QUEUE, LAYOUT_VERSION))
        {
            final AtomicBuffer buffer = file.buffer();
            final int ticket = file.metadataOffset() + QueueDescriptor.TICKET_OFFSET;
            a.put("before");
            final int lane = a.fifo().producerLane() == 1 ? 2 : 1;
            final int announce = laneWord(file, lane, LaneDescriptor.ANNOUNCE_OFFSET);
            // a live producer between its ticket and its publication: its ticket is waited for, whoever holds the
            // lane (a dead revoker may hold lane 0's lock word while the biased producer is still in its hold)
            buffer.putLongVolatile(laneWord(file, lane, LaneDescriptor.PRODUCER_WORD_OFFSET), dead);
            buffer.putLongVolatile(announce, OwnerToken.current());
            buffer.getAndAddLong(ticket, tickets);
            a.put("after");
            assertEquals("before", consumer.take());
            assertNull(consumer.poll(200, TimeUnit.MILLISECONDS), "a live producer's ticket is waited for");
            assertEquals(1, consumer.size());
            // the announcer is found dead: its tickets are passed
            buffer.putLongVolatile(announce, dead);
            assertEquals("after", consumer.poll(10, TimeUnit.SECONDS));
            // a new owner of the dead producer's lane clears the announcement
            try (SharedQueue<String> b = SharedQueue.open("lost", Codecs.STRING);
                SharedQueue<String> c = SharedQueue.open("lost", Codecs.STRING))
            {
                b.put("b");
                c.put("c");
                assertEquals(0, buffer.getLongVolatile(announce));
            }
            assertEquals("b", consumer.take());
            assertEquals("c", consumer.take());
            assertNull(consumer.poll());
        }
    }

    /**
     * A producer whose claims are held open back to back announces at nearly every look of the consumer: the lost
     * ticket of another producer is passed once that producer's lane has published since it was first seen
     * announcing, instead of waiting for a look that finds it between two claims: a whole block of them too, as a
     * batch whose producer died leaves.
     */
    @ParameterizedTest(name = "tickets lost: {0}")
    @ValueSource(ints = {1, 1000})
    void shouldPassLostTicketsWhileAnotherProducerKeepsAnnouncingItsOwn(final int lost) throws Exception
    {
        try (SharedQueue<byte[]> consumer = SharedQueue.create("announcing", Codecs.BYTES, ORDERED);
            SharedQueue<byte[]> producer = SharedQueue.open("announcing", Codecs.BYTES);
            SharedQueue<byte[]> other = SharedQueue.open("announcing", Codecs.BYTES);
            ResourceFile file = ResourceFile.open("announcing", ResourceKind.QUEUE, LAYOUT_VERSION))
        {
            final AtomicBuffer buffer = file.buffer();
            producer.put(new byte[] {1});
            assertArrayEquals(new byte[] {1}, consumer.take());
            // tickets taken by a producer that died before announcing anything this look could see
            buffer.getAndAddLong(file.metadataOffset() + QueueDescriptor.TICKET_OFFSET, lost);
            producer.put(new byte[] {3});
            final int first = producer.tryClaim(1); // announced, with a later ticket, and held open
            producer.claimBuffer().putByte(first, (byte)4);
            final int announce = laneWord(file, producer.fifo().producerLane(), LaneDescriptor.ANNOUNCE_OFFSET);
            assertEquals(OwnerToken.current(), buffer.getLongVolatile(announce));
            assertNull(consumer.poll(200, TimeUnit.MILLISECONDS), "a live announcer whose lane has not published");

            producer.commit(first);
            final int second = producer.tryClaim(1); // announcing again at every later look
            producer.claimBuffer().putByte(second, (byte)5);
            assertEquals(OwnerToken.current(), buffer.getLongVolatile(announce));
            assertArrayEquals(new byte[] {3}, consumer.poll(10, TimeUnit.SECONDS), "the element after the lost ticket");
            assertArrayEquals(new byte[] {4}, consumer.poll(10, TimeUnit.SECONDS));
            // a gap at the open claim's ticket, held by a live announcer whose lane published before the gap: waited
            // for (a look 50 ms after the gap records the lane's tail, and the tail does not move while it is open)
            other.put(new byte[] {6});
            assertNull(consumer.poll(200, TimeUnit.MILLISECONDS), "the open claim's ticket is waited for");
            producer.commit(second);
            assertArrayEquals(new byte[] {5}, consumer.poll(10, TimeUnit.SECONDS));
            assertArrayEquals(new byte[] {6}, consumer.poll(10, TimeUnit.SECONDS));
            assertNull(consumer.poll());
        }
    }

    /**
     * A look that passes a removed element's records (aborted claims) moves the next ticket itself, beyond the later
     * ticket the gap was found at: the passing of lost tickets stops there, so the ticket of a claim a live producer
     * made after the announcements were read is waited for, not passed with the lost one.
     */
    @Test
    void shouldStopPassingLostTicketsWhereALookPassedARemovedElement() throws Exception
    {
        try (SharedQueue<byte[]> consumer = SharedQueue.create("aborts", Codecs.BYTES, ORDERED);
            SharedQueue<byte[]> producer = SharedQueue.open("aborts", Codecs.BYTES);
            SharedQueue<byte[]> other = SharedQueue.open("aborts", Codecs.BYTES);
            ResourceFile file = ResourceFile.open("aborts", ResourceKind.QUEUE, LAYOUT_VERSION))
        {
            producer.put(new byte[] {1});
            other.put(new byte[] {2});
            assertArrayEquals(new byte[] {1}, consumer.take());
            assertArrayEquals(new byte[] {2}, consumer.take());
            // a ticket taken by a producer that died before announcing anything a look could see
            file.buffer().getAndAddLong(file.metadataOffset() + QueueDescriptor.TICKET_OFFSET, 1L);
            producer.abort(producer.tryClaim(1)); // a removed element's record: the later ticket the gap is seen at
            final int first = producer.tryClaim(1); // announced and held open
            assertNull(consumer.poll(200, TimeUnit.MILLISECONDS), "a live announcer whose lane has not published");

            producer.abort(first); // its lane publishes (another removed element's record) ...
            final int second = producer.tryClaim(1); // ... and it announces again, with a ticket taken after the look
            producer.claimBuffer().putByte(second, (byte)4);
            other.put(new byte[] {6});
            assertNull(consumer.poll(200, TimeUnit.MILLISECONDS), "the open claim's ticket is waited for");
            producer.commit(second);
            assertArrayEquals(new byte[] {4}, consumer.poll(10, TimeUnit.SECONDS));
            assertArrayEquals(new byte[] {6}, consumer.poll(10, TimeUnit.SECONDS));
            assertNull(consumer.poll());
        }
    }

    @Test
    void shouldDeliverARecordItsProducerPublishedWithoutStampingBeforePassingItsTicket() throws Exception
    {
        final long dead = deadToken();
        final QueueOptions options = new QueueOptions().producerLanes(2).fifoAcrossProducers(true).capacityBytes(4096);
        try (JoinableQueue<String> consumer = JoinableQueue.create("unstamped", Codecs.STRING, options);
            JoinableQueue<String> b = JoinableQueue.open("unstamped", Codecs.STRING);
            ResourceFile file = ResourceFile.open("unstamped", ResourceKind.QUEUE, LAYOUT_VERSION))
        {
            final AtomicBuffer buffer = file.buffer();
            // a producer of lane 2 killed between its tail word and its stamp, after taking ticket 0
            final long first = buffer.getAndAddLong(file.metadataOffset() + QueueDescriptor.TICKET_OFFSET, 1L);
            final org.agrona.ExpandableArrayBuffer encoded = new org.agrona.ExpandableArrayBuffer(64);
            final byte[] element = new byte[Codecs.STRING.encode("unstamped", encoded, 0)];
            encoded.getBytes(0, element);
            final byte[] record = new byte[RecordDescriptor.TICKET_LENGTH + element.length];
            java.nio.ByteBuffer.wrap(record).order(java.nio.ByteOrder.nativeOrder()).putInt((int)first).put(element);
            QueueRecoveryTest.publishUnstamped(file, 2, 4096, record, dead);
            buffer.putLongVolatile(laneWord(file, 2, LaneDescriptor.ANNOUNCE_OFFSET), dead);
            b.put("next"); // lane 1, ticket 1
            assertEquals(1, b.fifo().producerLane());
            // polls that never wait (they never register, so they read tail words only now and then)
            final List<String> taken = new ArrayList<>();
            io.ipckit.core.testing.Eventually.await("both taken", java.time.Duration.ofSeconds(10), () ->
            {
                final String element1 = consumer.poll();
                if (element1 != null)
                {
                    taken.add(element1);
                    consumer.taskDone();
                }
                return taken.size() == 2;
            });
            assertEquals(List.of("unstamped", "next"), taken);
            assertTrue(consumer.join(10, TimeUnit.SECONDS), "every element counted is done");
        }
    }

    @Test
    void shouldPassAnElementAConsumerKilledAfterStoringTheNextTicketHandedOver() throws Exception
    {
        try (SharedQueue<String> consumer = SharedQueue.create("taken", Codecs.STRING, ORDERED);
            SharedQueue<String> a = SharedQueue.open("taken", Codecs.STRING);
            SharedQueue<String> b = SharedQueue.open("taken", Codecs.STRING);
            ResourceFile file = ResourceFile.open("taken", ResourceKind.QUEUE, LAYOUT_VERSION))
        {
            a.put("handed over");
            b.put("next");
            a.put("last");
            // the consumer that handed "handed over" over stored the next ticket and was killed before the head
            file.buffer().putLongVolatile(laneWord(file, 0, LaneDescriptor.NEXT_TICKET_OFFSET), 1L);
            assertEquals(3, consumer.size(), "the head did not move: counted until passed");
            assertEquals("next", consumer.take());
            assertEquals("last", consumer.take());
            assertEquals(0, consumer.size());
            assertNull(consumer.poll());
        }
    }

    /**
     * A remover killed at each point of its removal of an element of lane 1 (the ordered queue's one consumer lock is
     * lane 0's): the consumer that takes the lock over completes it from lane 1's removal words, and the removed
     * element's ticket is passed at once.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void shouldCompleteTheRemovalOfARemoverKilledInAnotherLane(final int storesDone) throws Exception
    {
        final long dead = deadToken();
        try (SharedQueue<String> consumer = SharedQueue.create("rm", Codecs.STRING, ORDERED);
            SharedQueue<String> a = SharedQueue.open("rm", Codecs.STRING);
            SharedQueue<String> b = SharedQueue.open("rm", Codecs.STRING);
            ResourceFile file = ResourceFile.open("rm", ResourceKind.QUEUE, LAYOUT_VERSION))
        {
            final AtomicBuffer buffer = file.buffer();
            a.put("first");
            final int lane = a.fifo().producerLane();
            final int capacity = QueueOptions.CAPACITY_DEFAULT_BYTES;
            final int third = (int)LaneWords.position(buffer.getLongVolatile(laneWord(file, lane,
                LaneDescriptor.TAIL_OFFSET)));
            b.put("second");
            a.put("third");
            b.put("fourth");
            // the remover of "third" held lane 0's consumer lock and died after storesDone of its stores
            final long headWord = buffer.getLongVolatile(laneWord(file, lane, LaneDescriptor.HEAD_OFFSET));
            final long removalHead = LaneWords.word(LaneWords.count(headWord) + 1, LaneWords.position(headWord));
            buffer.putLongVolatile(laneWord(file, 0, LaneDescriptor.CONSUMER_LOCK_OFFSET), dead);
            buffer.putLong(laneWord(file, lane, LaneDescriptor.REMOVAL_HEAD_OFFSET), removalHead);
            buffer.putLongVolatile(laneWord(file, lane, LaneDescriptor.REMOVING_OFFSET), third + 1);
            final int record = file.headerLength() + lane * capacity + third;
            if (storesDone >= 2)
            {
                final int frame = buffer.getInt(record);
                buffer.putIntVolatile(record, RecordDescriptor.frame(RecordDescriptor.frameLength(frame),
                    RecordDescriptor.REMOVED));
            }
            if (storesDone >= 3)
            {
                buffer.putLongVolatile(laneWord(file, lane, LaneDescriptor.HEAD_OFFSET), removalHead);
            }
            assertEquals(List.of("first", "second", "fourth"), new ArrayList<>(consumer));
            assertEquals(0, buffer.getLongVolatile(laneWord(file, lane, LaneDescriptor.REMOVING_OFFSET)));
            assertEquals(3, consumer.size());
            assertEquals("first", consumer.poll());
            assertEquals("second", consumer.poll());
            assertEquals("fourth", consumer.poll(), "the removed element's ticket is passed at once");
            assertNull(consumer.poll());
            assertEquals(0, consumer.size());
        }
    }

    @Test
    void shouldRefuseTheOptionWhereItCannotApply()
    {
        thrown(IllegalArgumentException.class, () -> LifoQueue.create("lifo", Codecs.STRING,
            new QueueOptions().fifoAcrossProducers(true)), "fifoAcrossProducers", "leave it unset");
        try (SharedQueue<String> queue = SharedQueue.create("open", Codecs.STRING, ORDERED))
        {
            thrown(IllegalArgumentException.class, () -> SharedQueue.open("open", Codecs.STRING,
                new QueueOptions().fifoAcrossProducers(true)), "fifoAcrossProducers", "applies only when");
        }
    }
}
