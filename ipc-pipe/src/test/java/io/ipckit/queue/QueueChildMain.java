package io.ipckit.queue;

import io.ipckit.core.codec.Codecs;
import io.ipckit.core.testing.Eventually;
import io.ipckit.pipe.TestMessages;
import org.agrona.ExpandableArrayBuffer;

import java.io.DataOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Child JVM for queue tests. Modes:
 * <ul>
 * <li>{@code produce name producer count maxPayload} — puts messages 0..count-1 of the producer.</li>
 * <li>{@code produce-forever name producer maxPayload} — puts until killed.</li>
 * <li>{@code claim-forever name producer maxPayload} — the same through zero-copy claims (copying puts for messages
 * longer than a claim holds).</li>
 * <li>{@code batch-forever name producer maxPayload} — the same in batches of 1 to 16 ({@code offerBatch}).</li>
 * <li>{@code batches name producer count maxPayload} — messages 0..count-1 in batches of 1 to 16.</li>
 * <li>{@code claim-truncated-lean name path} and {@code claim-truncated-fast name path} — see
 * {@link #claimAcrossTruncation}.</li>
 * <li>{@code consume name outFile maxPayload} — takes until an empty message, checks every message and the order
 * of each producer's messages, appends each id (producer << 40 | seq) to outFile as it goes; exits 3 on a
 * violation.</li>
 * <li>{@code join-worker name count} — takes count strings from a JoinableQueue, marking each done.</li>
 * <li>{@code put-longs name kind v1 v2 ...} — puts longs into a LIFO ("lifo") or priority ("priority") queue.</li>
 * </ul>
 */
public final class QueueChildMain
{
    private QueueChildMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final String mode = args[0];
        final String name = args[1];
        switch (mode)
        {
            case "produce", "produce-forever", "claim-forever" -> produce(mode, name, args);
            case "batch-forever" ->
                produceBatches(name, Integer.parseInt(args[2]), Long.MAX_VALUE, Integer.parseInt(args[3]));
            case "batches" ->
                produceBatches(name, Integer.parseInt(args[2]), Long.parseLong(args[3]), Integer.parseInt(args[4]));
            case "consume" -> consume(name, args[2], Integer.parseInt(args[3]));
            case "join-worker" ->
            {
                try (JoinableQueue<String> queue = JoinableQueue.open(name, Codecs.STRING))
                {
                    final int count = Integer.parseInt(args[2]);
                    for (int i = 0; i < count; i++)
                    {
                        queue.take();
                        queue.taskDone();
                    }
                }
            }
            case "put-longs" ->
            {
                final AbstractSharedQueue<Long> queue = args[2].equals("lifo") ?
                    LifoQueue.open(name, Codecs.LONG) : SharedPriorityQueue.open(name, Codecs.LONG, Long::longValue);
                for (int i = 3; i < args.length; i++)
                {
                    queue.put(Long.parseLong(args[i]));
                }
                queue.close();
            }
            case "remove-churn" ->
            {
                // remove-churn <name> <progress file>: puts and removes its own elements until killed
                try (SharedQueue<String> queue = SharedQueue.open(name, Codecs.STRING);
                    io.ipckit.core.file.MappedFile progress = io.ipckit.core.file.MappedFile.open(args[2]))
                {
                    for (long n = 0; ; n++)
                    {
                        queue.put("churn-" + n);
                        if (!queue.remove("churn-" + n))
                        {
                            System.exit(4);
                        }
                        progress.buffer().putLongRelease(0, n + 1);
                    }
                }
            }
            case "remove" ->
            {
                // remove <name> <fifo|joinable|lifo> elements...: exits with 3 when one was not found
                final boolean longs = args[2].equals("lifo");
                try (AbstractSharedQueue<?> queue = switch (args[2])
                {
                    case "joinable" -> JoinableQueue.open(name, Codecs.STRING);
                    case "lifo" -> LifoQueue.open(name, Codecs.LONG);
                    default -> SharedQueue.open(name, Codecs.STRING);
                })
                {
                    for (int i = 3; i < args.length; i++)
                    {
                        if (!queue.remove(longs ? (Object)Long.valueOf(args[i]) : args[i]))
                        {
                            System.exit(3);
                        }
                    }
                }
            }
            case "put-large" ->
            {
                // put-large <name> <bytes>: puts one element of that many bytes (split over many records), 7s
                try (SharedQueue<byte[]> queue = SharedQueue.open(name, Codecs.BYTES))
                {
                    final byte[] element = new byte[Integer.parseInt(args[2])];
                    java.util.Arrays.fill(element, (byte)7);
                    queue.put(element);
                }
            }
            case "claim-truncated-lean", "claim-truncated-fast" -> claimAcrossTruncation(mode, name, args[2]);
            default -> throw new IllegalArgumentException(mode);
        }
    }

    /**
     * A FIFO queue's handle holds a zero-copy claim (the lean one of a biased handle or, after a second handle's put
     * revoked the bias, the fast one that holds the lock word) while a second handle's offer waits for the lane,
     * when the test truncates the file at {@code path} to one page. The claim's commit then faults on the lost ring;
     * it must let go of the lane, so that the waiting offer goes on and faults too, rather than wait out its 30 s
     * for a lock this live process would never release. Prints {@code READY} once the offer waits, then
     * {@code commit: <outcome>}, {@code offer: <outcome>} and {@code closed}, an outcome being
     * {@code <exception> names file: <true|false>} or {@code returned <value>}.
     */
    private static void claimAcrossTruncation(final String mode, final String name, final String path)
        throws Exception
    {
        try (SharedQueue<Long> queue = SharedQueue.create(name, Codecs.LONG, new QueueOptions().capacityBytes(1 << 16));
            SharedQueue<Long> other = SharedQueue.open(name, Codecs.LONG))
        {
            for (long i = 0; i < 50_000; i++)
            {
                queue.put(i); // biased after the first thousand holds, and compiled by the end
                queue.poll();
            }
            if (mode.equals("claim-truncated-fast"))
            {
                other.put(-1L); // revokes the first handle's bias: its claim takes the lock word
                other.poll();
            }
            final int index = queue.tryClaim(Long.BYTES);
            queue.claimBuffer().putLong(index, 7L);
            final CompletableFuture<String> offer =
                CompletableFuture.supplyAsync(() -> outcome(path, () -> other.offer(8L, 30, TimeUnit.SECONDS)));
            Eventually.await("the offer to wait for the lane", Duration.ofSeconds(60),
                () -> other.fifo().producerWaiting());
            System.out.println("READY");
            System.out.flush();
            Eventually.await("the test to truncate " + path, Duration.ofSeconds(60), () -> sizeOf(path) <= 4096);
            System.out.println("commit: " + outcome(path, () ->
            {
                queue.commit(index);
                return "nothing";
            }));
            System.out.println("offer: " + offer.get(60, TimeUnit.SECONDS));
        }
        System.out.println("closed");
        System.out.flush();
    }

    private static String outcome(final String path, final Callable<?> call)
    {
        try
        {
            return "returned " + call.call();
        }
        catch (final Exception ex)
        {
            return ex.getClass().getSimpleName() + " names file: " +
                (ex.getMessage() != null && ex.getMessage().contains(path));
        }
    }

    private static long sizeOf(final String path)
    {
        try
        {
            return Files.size(Path.of(path));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static void produce(final String mode, final String name, final String[] args) throws InterruptedException
    {
        final int producer = Integer.parseInt(args[2]);
        final boolean claims = mode.equals("claim-forever"); // zero-copy: tryClaim, write in place, commit
        final boolean forever = claims || mode.equals("produce-forever");
        final long count = forever ? Long.MAX_VALUE : Long.parseLong(args[3]);
        final int maxPayload = Integer.parseInt(args[forever ? 3 : 4]);
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(1024);
        try (SharedQueue<byte[]> queue = SharedQueue.open(name, Codecs.BYTES))
        {
            for (long seq = 0; seq < count; seq++)
            {
                final int length = TestMessages.encode(producer, seq, maxPayload, buffer);
                if (claims && length <= queue.maxClaimLength())
                {
                    int index;
                    while ((index = queue.tryClaim(length)) < 0)
                    {
                        Thread.onSpinWait(); // full: the test's consumer makes room
                    }
                    queue.claimBuffer().putBytes(index, buffer, 0, length);
                    queue.commit(index);
                }
                else
                {
                    queue.putBytes(buffer, 0, length);
                }
            }
        }
    }

    private static void produceBatches(final String name, final int producer, final long total, final int maxPayload)
        throws InterruptedException
    {
        final ExpandableArrayBuffer message = new ExpandableArrayBuffer(1024);
        final ExpandableArrayBuffer batch = new ExpandableArrayBuffer(16 * 1024);
        final int[] offsets = new int[16];
        final int[] lengths = new int[16];
        try (SharedQueue<byte[]> queue = SharedQueue.open(name, Codecs.BYTES))
        {
            for (long seq = 0; seq < total; )
            {
                final int count = (int)Math.min(total - seq, 1 + ThreadLocalRandom.current().nextInt(16));
                int at = 0;
                for (int i = 0; i < count; i++)
                {
                    lengths[i] = TestMessages.encode(producer, seq + i, maxPayload, message);
                    offsets[i] = at;
                    batch.putBytes(at, message, 0, lengths[i]);
                    at += lengths[i];
                }
                if (queue.offerBatch(batch, offsets, lengths, 0, count, 60, TimeUnit.SECONDS) != count)
                {
                    throw new IllegalStateException("no room for a batch in 60 s");
                }
                seq += count;
            }
        }
    }

    private static void consume(final String name, final String outFile, final int maxPayload)
        throws IOException, InterruptedException
    {
        final Map<Integer, Long> lastSeq = new HashMap<>();
        final boolean[] stop = new boolean[1];
        final String[] violation = new String[1];
        try (SharedQueue<byte[]> queue = SharedQueue.open(name, Codecs.BYTES);
            DataOutputStream out = new DataOutputStream(new FileOutputStream(outFile)))
        {
            while (!stop[0] && violation[0] == null)
            {
                final long[] id = {-1};
                if (!queue.receive((buffer, offset, length) ->
                {
                    if (length == 0)
                    {
                        stop[0] = true;
                        return;
                    }
                    try
                    {
                        id[0] = TestMessages.verify(buffer, offset, length, maxPayload);
                    }
                    catch (final AssertionError ex)
                    {
                        violation[0] = ex.getMessage();
                    }
                }, 60, TimeUnit.SECONDS))
                {
                    violation[0] = "no message for 60 s";
                }
                if (id[0] >= 0)
                {
                    final int producer = (int)(id[0] >>> 40);
                    final long seq = id[0] & ((1L << 40) - 1);
                    final Long previous = lastSeq.put(producer, seq);
                    if (previous != null && previous >= seq)
                    {
                        violation[0] = "producer " + producer + " out of order: " + seq + " after " + previous;
                    }
                    out.writeLong(id[0]);
                    out.flush();
                }
            }
        }
        if (violation[0] != null)
        {
            System.err.println("VIOLATION " + violation[0]);
            System.exit(3);
        }
    }
}
