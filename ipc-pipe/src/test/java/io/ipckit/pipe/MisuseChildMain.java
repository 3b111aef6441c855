package io.ipckit.pipe;

import io.ipckit.core.codec.Codecs;
import io.ipckit.queue.SharedQueue;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.TimeUnit;

/**
 * Child JVM for sequences of public calls that once crashed the JVM (a close while a claim or a handler still used
 * the mapping). Each mode prints one line per step, the simple name of what a call threw or its result, and exits
 * 0; a crash shows as exit code 134 and a missing last line. Modes: {@code pipe-commit-after-close},
 * {@code pipe-abort-after-close}, {@code pipe-write-claim-after-close}, {@code pipe-calls-after-close},
 * {@code pipe-close-in-receive-handler}, {@code pipe-close-in-drain-handler}, {@code queue-commit-after-close},
 * {@code queue-calls-after-close}, {@code queue-close-in-drain-handler}.
 */
public final class MisuseChildMain
{
    private MisuseChildMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final String mode = args[0];
        final String name = args[1];
        switch (mode)
        {
            case "pipe-commit-after-close", "pipe-abort-after-close" ->
            {
                final Connection a = Pipe.create(name);
                final Connection b = Pipe.open(name);
                a.sendBytes(new byte[] {1});
                final int index = a.tryClaim(8);
                a.close();
                step("claim end", () ->
                {
                    if (mode.equals("pipe-commit-after-close"))
                    {
                        a.commit(index);
                    }
                    else
                    {
                        a.abort(index);
                    }
                });
                step("peer first", () -> System.out.println("peer first " + b.recvBytes(5, TimeUnit.SECONDS).length));
                call("peer then", () -> b.recvBytes(5, TimeUnit.SECONDS));
                b.close();
            }
            case "pipe-write-claim-after-close" ->
            {
                final Connection a = Pipe.create(name);
                final int index = a.tryClaim(8);
                final MutableDirectBuffer buffer = a.claimBuffer();
                a.close();
                buffer.putLong(index, 42L); // the claim's writer goes on writing: the file stays mapped
                step("commit", () -> a.commit(index));
                call("claimBuffer", a::claimBuffer);
            }
            case "pipe-calls-after-close" ->
            {
                final Connection a = Pipe.create(name);
                a.close();
                call("claimBuffer", a::claimBuffer);
                call("tryClaim", () -> a.tryClaim(8));
                call("claim", () -> a.claim(8, 1, TimeUnit.SECONDS));
                step("commit", () -> a.commit(8));
                step("abort", () -> a.abort(8));
                step("sendBytes", () -> a.sendBytes(new byte[] {1}));
                call("drain", () -> a.drain((buffer, offset, length) -> { }, 1));
            }
            case "pipe-close-in-receive-handler", "pipe-close-in-drain-handler" ->
            {
                final Connection a = Pipe.create(name);
                final Connection b = Pipe.open(name);
                b.sendBytes(new byte[] {1, 2, 3});
                b.sendBytes(new byte[] {4, 5, 6});
                final int[] seen = new int[2];
                final BufferHandler handler = (buffer, offset, length) ->
                {
                    a.close();
                    seen[0]++;
                    seen[1] += buffer.getByte(offset + 2) + length; // still mapped inside the handler
                };
                if (mode.equals("pipe-close-in-receive-handler"))
                {
                    step("receive", () -> System.out.println("receive " + a.receive(handler, 5, TimeUnit.SECONDS)));
                }
                else
                {
                    step("drain", () -> System.out.println("drain " + a.drain(handler, 10)));
                }
                System.out.println("handled " + seen[0] + " sum " + seen[1]);
                call("recvBytes", a::recvBytes);
                step("peer", () -> b.sendBytes(new byte[] {7}));
                b.close();
            }
            case "queue-commit-after-close" ->
            {
                final SharedQueue<Long> q = SharedQueue.create(name, Codecs.LONG,
                    new io.ipckit.queue.QueueOptions());
                final int index = q.tryClaim(8);
                final MutableDirectBuffer buffer = q.claimBuffer();
                buffer.putLong(index, 42L);
                q.close();
                buffer.putLong(index, 43L); // the claim's writer goes on writing: the file stays mapped
                step("commit", () -> q.commit(index));
                step("commit again", () -> q.commit(index));
                try (SharedQueue<Long> other = SharedQueue.open(name, Codecs.LONG))
                {
                    System.out.println("size " + other.size() + " poll " + other.poll());
                    other.put(7L); // the producer lock was given back
                    System.out.println("then " + other.poll(5, TimeUnit.SECONDS));
                    other.unlink();
                }
            }
            case "queue-calls-after-close" ->
            {
                final SharedQueue<Long> q = SharedQueue.create(name, Codecs.LONG,
                    new io.ipckit.queue.QueueOptions());
                q.close();
                call("claimBuffer", q::claimBuffer);
                call("tryClaim", () -> q.tryClaim(8));
                step("commit", () -> q.commit(8));
                step("abort", () -> q.abort(8));
                step("putBytes", () -> q.putBytes(new UnsafeBuffer(new byte[8]), 0, 8));
                q.unlink();
            }
            case "queue-close-in-drain-handler" ->
            {
                final SharedQueue<Long> q = SharedQueue.create(name, Codecs.LONG,
                    new io.ipckit.queue.QueueOptions());
                q.put(1L);
                q.put(2L);
                final long[] sum = new long[1];
                step("drain", () -> System.out.println("drain " + q.drain((buffer, offset, length) ->
                {
                    q.close();
                    sum[0] += buffer.getLong(offset); // still mapped inside the handler
                }, 1)));
                System.out.println("sum " + sum[0]);
                call("poll", q::poll);
                q.unlink();
            }
            default -> throw new IllegalArgumentException(mode);
        }
        System.out.println("END");
        System.out.flush();
    }

    interface Step
    {
        Object run() throws Exception;
    }

    interface VoidStep
    {
        void run() throws Exception;
    }

    private static void step(final String what, final VoidStep step)
    {
        call(what, () ->
        {
            step.run();
            return null;
        });
    }

    private static void call(final String what, final Step step)
    {
        try
        {
            step.run();
            System.out.println(what + ": returned");
        }
        catch (final Exception ex)
        {
            System.out.println(what + ": " + ex.getClass().getSimpleName());
        }
        System.out.flush();
    }
}
