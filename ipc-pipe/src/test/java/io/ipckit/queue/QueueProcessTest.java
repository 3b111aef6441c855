package io.ipckit.queue;

import io.ipckit.core.codec.Codecs;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.TestDirectory;
import io.ipckit.pipe.TestMessages;
import io.ipckit.core.internal.kit.BiasedOwnerLock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(120)
class QueueProcessTest
{
    private static final int RING = 4096;
    private static final int MAX_PAYLOAD = 3 * RING;
    /** Payloads every one of which fits a claim (at most an eighth of the ring, with the record's words). */
    private static final int CLAIM_PAYLOAD = RING / 8 - 64;
    /** Payloads of batches: 16 of them (the most a batch holds) fill at most half the ring. */
    private static final int BATCH_PAYLOAD = 100;
    private static final byte[] POISON = new byte[0];
    /** Children take their locks biased after 4 holds in a row, so biases are granted and revoked all the time. */
    private static final String EAGER_BIAS = "-D" + BiasedOwnerLock.BIAS_THRESHOLD_PROP_NAME + "=4";

    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @ParameterizedTest(name = "{0} producers x {1} consumers, {2}")
    @CsvSource({"1, 1, bounded", "2, 2, bounded", "4, 1, bounded", "1, 4, bounded",
        "1, 1, lanes-4", "2, 2, lanes-4", "4, 1, lanes-2", "1, 4, lanes-4", "2, 2, ordered-4", "4, 1, ordered-2"})
    void shouldDeliverEveryMessageExactlyOnceIntactInProducerOrder(final int producers, final int consumers,
        final String layout) throws Exception
    {
        final int perProducer = 400 / producers;
        // "bounded": Python's maxsize, one shared ring; "lanes-N": N exclusive producer lanes (4 producers on 2
        // lanes: two write their own lane, two share the locked ring)
        // "ordered-N": N lanes ordered by tickets (4 producers on 2 lanes: two take tickets under the shared lock)
        final QueueOptions options = layout.equals("bounded") ?
            new QueueOptions().capacityBytes(RING).maxElements(64) :
            new QueueOptions().capacityBytes(RING).producerLanes(Integer.parseInt(layout.substring(layout.indexOf('-') + 1)))
                .fifoAcrossProducers(layout.startsWith("ordered"));
        // the shared ring's locks change hands between biased and plain holds many times; lanes keep the default
        final String[] biasOption = layout.equals("bounded") ? new String[] {EAGER_BIAS} : new String[0];
        try (SharedQueue<byte[]> queue = SharedQueue.create("q", Codecs.BYTES, options))
        {
            final List<JvmProcess> consumerProcesses = new ArrayList<>();
            final List<Path> outputs = new ArrayList<>();
            for (int c = 0; c < consumers; c++)
            {
                final Path out = dir.path().resolve("consumer-" + c + ".bin");
                outputs.add(out);
                consumerProcesses.add(dir.start(QueueChildMain.class, new ProcessOptions().jvmOptions(biasOption)
                    .args("consume", "q", out.toString(), Integer.toString(MAX_PAYLOAD))));
            }
            final List<JvmProcess> producerProcesses = new ArrayList<>();
            for (int p = 1; p <= producers; p++)
            {
                producerProcesses.add(dir.start(QueueChildMain.class, new ProcessOptions().jvmOptions(biasOption)
                    .args("produce", "q", Integer.toString(p), Integer.toString(perProducer),
                        Integer.toString(MAX_PAYLOAD))));
            }
            for (final JvmProcess producer : producerProcesses)
            {
                assertTrue(producer.join(90, TimeUnit.SECONDS), "producer finished");
                assertEquals(0, producer.exitCode().getAsInt());
            }
            // with lanes, elements of different handles are not ordered: the pills go in once the rest is taken
            Eventually.await("consumers took every element", Duration.ofSeconds(60), () -> queue.size() == 0);
            for (int c = 0; c < consumers; c++)
            {
                queue.put(POISON);
            }
            for (final JvmProcess consumer : consumerProcesses)
            {
                assertTrue(consumer.join(90, TimeUnit.SECONDS), "consumer finished");
                assertEquals(0, consumer.exitCode().getAsInt(), "consumer saw every message intact and in order");
            }
            final Set<Long> received = new HashSet<>();
            for (final Path out : outputs)
            {
                for (final long id : readIds(out))
                {
                    assertTrue(received.add(id), "delivered twice: " + id);
                }
            }
            assertEquals(producers * perProducer, received.size());
            for (int p = 1; p <= producers; p++)
            {
                for (long seq = 0; seq < perProducer; seq++)
                {
                    assertTrue(received.contains(((long)p << 40) | seq), "lost " + p + "/" + seq);
                }
            }
            assertEquals(0, queue.size());
        }
    }

    /**
     * First-in first-out across producer processes, the promise of ticket-ordered lanes: a child JVM puts its elements
     * into a lane of its own and exits; the elements this process puts afterwards, into another lane, come out after
     * them. Unordered lanes would hand the two lanes out in turn.
     */
    @Test
    void shouldKeepElementsOfProducerProcessesInTheOrderTheyWerePutWithTicketOrderedLanes() throws Exception
    {
        final int count = 200;
        try (SharedQueue<byte[]> queue = SharedQueue.create("across", Codecs.BYTES,
            new QueueOptions().capacityBytes(64 * 1024).producerLanes(2).fifoAcrossProducers(true)))
        {
            final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(1024);
            queue.putBytes(buffer, 0, TestMessages.encode(2, 0, 64, buffer)); // this handle's lane is taken first
            final JvmProcess child = dir.start(QueueChildMain.class, new ProcessOptions()
                .args("produce", "across", "1", Integer.toString(count), "64"));
            assertTrue(child.join(60, TimeUnit.SECONDS), "producer finished");
            assertEquals(0, child.exitCode().getAsInt());
            for (long seq = 1; seq <= count; seq++)
            {
                queue.putBytes(buffer, 0, TestMessages.encode(2, seq, 64, buffer));
            }
            final long[] expected = new long[2 * count + 1];
            expected[0] = 2L << 40;
            for (int i = 0; i < count; i++)
            {
                expected[1 + i] = (1L << 40) | i;
                expected[1 + count + i] = (2L << 40) | (i + 1);
            }
            for (int i = 0; i < expected.length; i++)
            {
                final long[] id = {-1};
                assertTrue(queue.receive((b, offset, length) -> id[0] = TestMessages.verify(b, offset, length, 64),
                    10, TimeUnit.SECONDS), "element " + i);
                assertEquals(expected[i], id[0], "element " + i + " in put order");
            }
            assertNull(queue.poll());
        }
    }

    /**
     * A producer of a ticket-ordered queue SIGKILLed in the middle of a split element (blocked on a full ring after
     * its first records): consumers take and discard what it wrote, pass its ticket, and go on with the elements put
     * after it, in order; the counts come out right.
     */
    @Test
    void shouldPassTheTicketOfAnElementWhoseWriterWasKilledHalfWay() throws Exception
    {
        final int ring = 4096;
        try (JoinableQueue<byte[]> queue = JoinableQueue.create("halfway", Codecs.BYTES,
            new QueueOptions().capacityBytes(ring).producerLanes(2).fifoAcrossProducers(true));
            io.ipckit.core.file.ResourceFile file = io.ipckit.core.file.ResourceFile.open("halfway",
                io.ipckit.core.file.ResourceKind.QUEUE, QueueDescriptor.LAYOUT_VERSION))
        {
            queue.put(new byte[] {1}); // this handle's lane, ticket 0
            final JvmProcess writer = dir.start(QueueChildMain.class, new ProcessOptions()
                .args("put-large", "halfway", Integer.toString(10 * ring)));
            // the writer's lane fills with the element's first records; it then waits for room
            final int tail = file.metadataOffset() + QueueDescriptor.lanesOffset() + 2 * LaneDescriptor.LENGTH +
                LaneDescriptor.TAIL_OFFSET;
            Eventually.await("the writer's lane is full", Duration.ofSeconds(60),
                () -> LaneWords.position(file.buffer().getLongVolatile(tail)) > ring / 2);
            queue.put(new byte[] {2}); // ticket 2, after the large element's
            writer.kill();
            assertTrue(writer.join(30, TimeUnit.SECONDS));
            assertArrayEquals(new byte[] {1}, queue.poll(10, TimeUnit.SECONDS));
            queue.taskDone();
            assertArrayEquals(new byte[] {2}, queue.poll(10, TimeUnit.SECONDS), "the large element is discarded");
            queue.taskDone();
            assertNull(queue.poll());
            assertEquals(0, queue.size());
            assertTrue(queue.join(10, TimeUnit.SECONDS), "the discarded element counts as done");
            queue.put(new byte[] {3});
            assertArrayEquals(new byte[] {3}, queue.poll());
        }
    }

    @Test
    void shouldShowABatchToAConsumerThatKeepsPaceOnlyOnceItIsAllWritten() throws Exception
    {
        // a ring with room for many batches, so that they take the lane's fast path (one publication for the batch),
        // and a consumer draining as fast as they come: it waits at each batch's first record while it is written
        final long count = 400_000;
        try (SharedQueue<byte[]> queue = SharedQueue.create("batches", Codecs.BYTES,
            new QueueOptions().capacityBytes(1 << 16)))
        {
            final JvmProcess producer = dir.start(QueueChildMain.class, new ProcessOptions()
                .args("batches", "batches", "1", Long.toString(count), Integer.toString(BATCH_PAYLOAD)));
            final long[] next = {0};
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (next[0] < count)
            {
                final int drained = queue.drain((buffer, offset, length) ->
                {
                    final long id = TestMessages.verify(buffer, offset, length, BATCH_PAYLOAD);
                    assertEquals(1L << 40 | next[0], id, "message " + next[0] + ": whole, in order, none lost");
                    next[0]++;
                }, 64);
                if (drained == 0)
                {
                    assertTrue(System.nanoTime() < deadline, "all " + count + " messages within 60 s, got " + next[0]);
                    Thread.onSpinWait();
                }
            }
            assertTrue(producer.join(30, TimeUnit.SECONDS));
            assertEquals(0, producer.exitCode().getAsInt());
            assertNull(queue.poll());
        }
    }

    @ParameterizedTest(name = "{0} exclusive producer lanes, ordered by tickets: {1}, sent by {2}")
    @CsvSource({"0, false, produce", "1, false, produce", "1, true, produce", "0, false, claim", "0, false, batch",
        "1, false, batch", "1, true, batch"})
    void shouldNeverDeliverATornMessageNorBlockWhenProducersAreKilledAtRandomMoments(final int lanes,
        final boolean ordered, final String sending) throws Exception
    {
        // batches of small messages, so that most fit the ring whole and take the lane's one-publication fast path
        // (ordered, with a block of tickets taken at once: a kill before its publication leaves the whole block)
        final boolean claims = sending.equals("claim");
        // with one exclusive lane, every new producer takes over the lane of the one killed before it; ordered, a
        // kill between a ticket and its publication leaves a gap the consumer passes
        try (SharedQueue<byte[]> queue = SharedQueue.create("kill", Codecs.BYTES,
            new QueueOptions().capacityBytes(RING).producerLanes(lanes).fifoAcrossProducers(ordered)))
        {
            final Map<Integer, Long> next = new HashMap<>();
            final int payload = claims ? CLAIM_PAYLOAD : sending.equals("batch") ? BATCH_PAYLOAD : MAX_PAYLOAD;
            for (int round = 1; round <= 3; round++)
            {
                final JvmProcess producer = dir.start(QueueChildMain.class, new ProcessOptions().jvmOptions(EAGER_BIAS)
                    .args(sending + "-forever", "kill", Integer.toString(round),
                        Integer.toString(payload)));
                final int killAfter = ThreadLocalRandom.current().nextInt(1, 150);
                for (int i = 0; i < killAfter; i++)
                {
                    assertTrue(takeAndCheck(queue, next, 60, payload), "message before the kill");
                }
                producer.kill();
                assertTrue(producer.join(30, TimeUnit.SECONDS));
                while (takeAndCheck(queue, next, 0.3, payload))
                {
                    assertTrue(next.get(round) < 1_000_000);
                }
            }
            // the dead producers' locks are taken over: this process can still put and take
            final byte[] last = {1, 2, 3};
            assertTrue(queue.offer(last, 30, TimeUnit.SECONDS));
            assertEquals(3, queue.poll(30, TimeUnit.SECONDS).length);
            assertNull(queue.poll());
        }
    }

    @ParameterizedTest(name = "ticket-ordered lanes: {0}")
    @CsvSource({"false", "true"})
    void shouldLetOtherConsumersContinueWithoutDuplicatesWhenAConsumerIsKilled(final boolean ordered) throws Exception
    {
        final int count = 300;
        // ordered: the producer writes a lane of its own, and the consumers share lane 0's lock and the next ticket
        try (SharedQueue<byte[]> queue = SharedQueue.create("ckill", Codecs.BYTES,
            new QueueOptions().capacityBytes(RING).producerLanes(ordered ? 2 : 0).fifoAcrossProducers(ordered)))
        {
            final Path out = dir.path().resolve("victim.bin");
            final JvmProcess victim = dir.start(QueueChildMain.class, new ProcessOptions().jvmOptions(EAGER_BIAS)
                .args("consume", "ckill", out.toString(), Integer.toString(MAX_PAYLOAD)));
            final JvmProcess producer = dir.start(QueueChildMain.class, new ProcessOptions().jvmOptions(EAGER_BIAS)
                .args("produce", "ckill", "1", Integer.toString(count), Integer.toString(MAX_PAYLOAD)));
            final Map<Integer, Long> next = new HashMap<>();
            final Set<Long> mine = new HashSet<>();
            final int killAfter = ThreadLocalRandom.current().nextInt(5, 50);
            while (!Files.exists(out) || Files.size(out) < (long)killAfter * Long.BYTES)
            {
                assertTrue(victim.isAlive(), "victim consumes");
                Thread.sleep(1); // leave the cores to the two children's JVM starts
                if (producer.exitCode().isPresent() && queue.isEmpty())
                {
                    break;
                }
            }
            victim.kill();
            assertTrue(victim.join(30, TimeUnit.SECONDS));
            while (true)
            {
                final boolean producerDone = producer.exitCode().isPresent();
                final byte[] message = queue.poll(1, TimeUnit.SECONDS);
                if (message == null)
                {
                    if (producerDone)
                    {
                        break;
                    }
                    continue;
                }
                final long id = TestMessages.verify(new UnsafeBuffer(message), 0, message.length, MAX_PAYLOAD);
                assertTrue(mine.add(id));
                assertTrue(id > next.getOrDefault(0, -1L).longValue(), "in put order: " + id);
                next.put(0, id);
            }
            assertEquals(0, producer.exitCode().getAsInt());
            final Set<Long> all = new HashSet<>(mine);
            for (final long id : readIds(out))
            {
                assertTrue(all.add(id), "delivered to both the killed consumer and the survivor: " + id);
            }
            assertTrue(count - all.size() <= 2,
                "only what the killed consumer held when it died is missing: " + (count - all.size()));
        }
    }

    /**
     * A process that puts and removes its own elements, SIGKILLed at a random moment (inside a removal, a put, or
     * between them), several times: at most its last element is left, the count matches what is there, nobody hangs
     * on the locks it held, and the queue then carries other elements in order, exactly once.
     */
    @Test
    void shouldStayConsistentWhenARemoverIsKilledAtRandomMoments() throws Exception
    {
        try (SharedQueue<String> queue = SharedQueue.create("churn", Codecs.STRING,
            new QueueOptions().capacityBytes(RING));
            io.ipckit.core.file.MappedFile progress = io.ipckit.core.file.MappedFile.create("churn-progress", 64))
        {
            for (int round = 0; round < 3; round++)
            {
                progress.buffer().putLongVolatile(0, 0);
                final JvmProcess churn = dir.start(QueueChildMain.class, new ProcessOptions().jvmOptions(EAGER_BIAS)
                    .args("remove-churn", "churn", "churn-progress"));
                final long target = ThreadLocalRandom.current().nextLong(100, 3_000);
                Eventually.await("the child removed " + target + " of its elements", Duration.ofSeconds(60),
                    () -> progress.buffer().getLongVolatile(0) >= target || !churn.isAlive());
                assertTrue(churn.isAlive(), "the child churns until killed: " + churn.exitCode());
                churn.kill();
                assertTrue(churn.join(30, TimeUnit.SECONDS));
                final int counted = queue.size();
                final List<String> left = new ArrayList<>();
                String element;
                while ((element = queue.poll(1, TimeUnit.SECONDS)) != null)
                {
                    left.add(element);
                }
                assertTrue(left.size() <= 1 && left.stream().allMatch((e) -> e.startsWith("churn-")),
                    "round " + round + ": at most the child's last element is left: " + left);
                // a removal the kill cut short is counted until the first consumer call completes it
                assertTrue(counted == left.size() || counted == left.size() + 1,
                    "round " + round + ": size() said " + counted + " for " + left);
                assertEquals(0, queue.size());
                final List<String> expected = new ArrayList<>();
                for (int i = 0; i < 20; i++)
                {
                    expected.add("keep-" + round + "-" + i);
                    queue.put(expected.get(i));
                }
                final List<String> taken = new ArrayList<>();
                while ((element = queue.poll()) != null)
                {
                    taken.add(element);
                }
                assertEquals(expected, taken, "round " + round + ": the queue carries elements in order after the kill");
            }
        }
    }

    private static boolean takeAndCheck(final SharedQueue<byte[]> queue, final Map<Integer, Long> next,
        final double timeoutSeconds) throws InterruptedException
    {
        return takeAndCheck(queue, next, timeoutSeconds, MAX_PAYLOAD);
    }

    private static boolean takeAndCheck(final SharedQueue<byte[]> queue, final Map<Integer, Long> next,
        final double timeoutSeconds, final int maxPayload) throws InterruptedException
    {
        final byte[] message = queue.poll((long)(timeoutSeconds * 1000), TimeUnit.MILLISECONDS);
        if (message == null)
        {
            return false;
        }
        final long id = TestMessages.verify(new UnsafeBuffer(message), 0, message.length, maxPayload);
        final int producer = (int)(id >>> 40);
        final long seq = id & ((1L << 40) - 1);
        assertEquals(next.getOrDefault(producer, 0L), seq, "producer " + producer + " in order, none lost");
        next.put(producer, seq + 1);
        return true;
    }

    private static List<Long> readIds(final Path file) throws IOException
    {
        final List<Long> ids = new ArrayList<>();
        if (!Files.exists(file))
        {
            return ids;
        }
        try (DataInputStream in = new DataInputStream(Files.newInputStream(file)))
        {
            while (true)
            {
                ids.add(in.readLong());
            }
        }
        catch (final EOFException end)
        {
            return ids;
        }
    }
}
