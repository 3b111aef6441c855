package io.ipckit.queue;

import io.ipckit.core.codec.Codecs;
import io.ipckit.core.internal.kit.BiasedOwnerLock;
import io.ipckit.core.testing.TestDirectory;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An error inside a put, between the ticket or the hold it takes and the record's publication: here a fault on a page
 * of the caller's source buffer, whose file was truncated (a {@link StackOverflowError} can strike at the same
 * places). The put throws the fault as the {@link InternalError} it is, not as a corrupt queue (the queue's file is
 * whole), and the queue stays usable: an ordered queue's consumers pass the ticket the failed put took instead of
 * waiting for it while the producer lives, and another handle takes a shared lane the failed put held biased.
 */
@Timeout(60)
class ProducerErrorTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @TempDir
    Path sources;

    /**
     * A buffer over a mapping whose file is then truncated to nothing: every read of it faults.
     */
    private UnsafeBuffer lostPages(final int length) throws IOException
    {
        final Path file = sources.resolve("source");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE))
        {
            final MappedByteBuffer mapping = channel.map(FileChannel.MapMode.READ_WRITE, 0, length);
            channel.truncate(0);
            return new UnsafeBuffer(mapping);
        }
    }

    /**
     * The next element, passing the failed put's own if it was published: compiled code raises the fault's error a
     * little late (see {@code FileFaults}), after the copy went on and the record was published with the bytes the
     * copy could not read. Interpreted code, as in a fresh JVM, raises it at once and publishes nothing.
     */
    private static byte[] pollPastLateFault(final SharedQueue<byte[]> consumer, final int failedLength)
        throws InterruptedException
    {
        final byte[] next = consumer.poll(10, TimeUnit.SECONDS);
        return next != null && next.length == failedLength ? consumer.poll(10, TimeUnit.SECONDS) : next;
    }

    @ParameterizedTest(name = "element of {0} bytes")
    @ValueSource(ints = {64, 3000})
    void shouldLetConsumersOfAnOrderedQueuePassTheTicketOfAPutThatFailed(final int length) throws Exception
    {
        try (SharedQueue<byte[]> consumer = SharedQueue.create("ordered", Codecs.BYTES,
            new QueueOptions().capacityBytes(4096).producerLanes(2).fifoAcrossProducers(true));
            SharedQueue<byte[]> failing = SharedQueue.open("ordered", Codecs.BYTES);
            SharedQueue<byte[]> other = SharedQueue.open("ordered", Codecs.BYTES))
        {
            assertTrue(failing.offer(new byte[] {1}));
            final UnsafeBuffer source = lostPages(4096);
            // 64 bytes: the put's fast path; 3000: an element split over records by the general path
            final InternalError fault = assertThrows(InternalError.class, () -> failing.offerBytes(source, 0, length,
                1, TimeUnit.SECONDS), "the fault on the caller's buffer, not a corrupt queue");
            assertTrue(fault.getMessage().contains("unsafe memory access"), fault.getMessage());

            assertTrue(other.offer(new byte[] {2}));
            assertArrayEquals(new byte[] {1}, consumer.poll(10, TimeUnit.SECONDS));
            // the failed put's ticket is no record's, and its producer lives: it is passed, not waited for
            assertArrayEquals(new byte[] {2}, pollPastLateFault(consumer, length), "the element after the lost ticket");
            assertTrue(failing.offer(new byte[] {3}));
            assertTrue(other.offer(new byte[] {4}));
            assertArrayEquals(new byte[] {3}, consumer.poll(10, TimeUnit.SECONDS));
            assertArrayEquals(new byte[] {4}, consumer.poll(10, TimeUnit.SECONDS));
            assertNull(consumer.poll(0, TimeUnit.NANOSECONDS));
        }
    }

    @Test
    void shouldReportAFaultOnTheCallersBufferAsItIsWhenTheQueueWasUnlinked() throws Exception
    {
        try (SharedQueue<byte[]> queue = SharedQueue.create("unlinked", Codecs.BYTES,
            new QueueOptions().capacityBytes(4096)))
        {
            assertTrue(queue.unlink());
            final UnsafeBuffer source = lostPages(4096);
            // the queue's file is whole (its descriptor says so, though its name is gone): the fault was the buffer's
            assertThrows(InternalError.class, () -> queue.offerBytes(source, 0, 64, 1, TimeUnit.SECONDS));
            assertTrue(queue.offer(new byte[] {1}));
            assertArrayEquals(new byte[] {1}, pollPastLateFault(queue, 64));
        }
    }

    /**
     * A put that gives up before it holds the lane (no room for it in the time given: here lane 0's lock, held by
     * another handle's open claim) must leave that lane's announcement alone: it is the claim's, whose ticket the
     * consumers must wait for.
     */
    @Test
    void shouldLeaveTheAnnouncementOfTheLaneHolderWhenAPutGivesUpBeforeHoldingTheLane() throws Exception
    {
        try (SharedQueue<byte[]> consumer = SharedQueue.create("shared-lane", Codecs.BYTES,
            new QueueOptions().capacityBytes(4096).producerLanes(1).fifoAcrossProducers(true));
            SharedQueue<byte[]> exclusive = SharedQueue.open("shared-lane", Codecs.BYTES);
            SharedQueue<byte[]> claimer = SharedQueue.open("shared-lane", Codecs.BYTES);
            SharedQueue<byte[]> late = SharedQueue.open("shared-lane", Codecs.BYTES))
        {
            assertTrue(exclusive.offer(new byte[] {1}));
            assertTrue(claimer.offer(new byte[] {2}));
            assertTrue(late.offer(new byte[] {3}));
            assertEquals(1, exclusive.fifo().producerLane());
            assertEquals(0, claimer.fifo().producerLane(), "no free lane: lane 0, under its lock");
            assertEquals(0, late.fifo().producerLane());
            for (int i = 1; i <= 3; i++)
            {
                assertArrayEquals(new byte[] {(byte)i}, consumer.poll(10, TimeUnit.SECONDS));
            }

            final int claim = claimer.tryClaim(1); // holds lane 0's lock, announcing its ticket
            claimer.claimBuffer().putByte(claim, (byte)4);
            // an element split over records, which cannot have lane 0 in the time given
            assertFalse(late.offerBytes(new UnsafeBuffer(new byte[3000]), 0, 3000, 0, TimeUnit.NANOSECONDS));
            assertTrue(exclusive.offer(new byte[] {5}));
            assertNull(consumer.poll(300, TimeUnit.MILLISECONDS), "the open claim's ticket is waited for");
            claimer.commit(claim);
            assertArrayEquals(new byte[] {4}, consumer.poll(10, TimeUnit.SECONDS));
            assertArrayEquals(new byte[] {5}, consumer.poll(10, TimeUnit.SECONDS));
            assertNull(consumer.poll());
        }
    }

    @Test
    void shouldLetAnotherHandleTakeASharedLaneThatAFailedPutHeldBiased() throws Exception
    {
        try (SharedQueue<byte[]> consumer = SharedQueue.create("biased", Codecs.BYTES,
            new QueueOptions().capacityBytes(4096));
            SharedQueue<byte[]> failing = SharedQueue.open("biased", Codecs.BYTES);
            SharedQueue<byte[]> other = SharedQueue.open("biased", Codecs.BYTES))
        {
            for (int i = 0; i < 2 * BiasedOwnerLock.INITIAL_BIAS_THRESHOLD &&
                !failing.fifo().producerLockBiased(); i++)
            {
                assertTrue(failing.offer(new byte[] {(byte)i}));
                consumer.poll();
            }
            assertTrue(failing.fifo().producerLockBiased(), "the failing handle keeps the lane's lock biased");
            final UnsafeBuffer source = lostPages(4096);
            assertThrows(InternalError.class, () -> failing.offerBytes(source, 0, 64, 1, TimeUnit.SECONDS));

            // another handle revokes the bias: it waits for the failed put's hold to end, which it did
            assertTrue(other.offer(new byte[] {7}, 10, TimeUnit.SECONDS), "the other handle's put");
            assertArrayEquals(new byte[] {7}, pollPastLateFault(consumer, 64));
            assertTrue(failing.offer(new byte[] {8}, 10, TimeUnit.SECONDS), "the failed handle's next put");
            assertArrayEquals(new byte[] {8}, consumer.poll(10, TimeUnit.SECONDS));
        }
    }
}
