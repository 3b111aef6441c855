package io.ipckit.pipe;

import io.ipckit.core.codec.Codecs;
import io.ipckit.queue.AbstractSharedQueue;
import io.ipckit.queue.JoinableQueue;
import io.ipckit.queue.LifoQueue;
import io.ipckit.queue.QueueOptions;
import io.ipckit.queue.SharedPriorityQueue;
import io.ipckit.queue.SharedQueue;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Child JVM that uses a pipe or a queue until the test truncates its file, then reports what it got and closes.
 * Prints {@code READY} once the structure is in use (a busy mode once its loop is warm, a blocked mode once its wait
 * is), then one line {@code <exception> names file: <true|false>}, then {@code closed}. An {@link InternalError} that
 * compiled code raised late for the fault, after the call that faulted returned (see {@code FileFaults}), reaches this
 * class's own loop untranslated and is reported as {@code InternalError raised late}. Modes: {@code pipe-busy} (sends
 * and receives in a loop), {@code pipe-blocked} (waits in a receive), {@code queue-busy} (puts and takes),
 * {@code queue-blocked} (waits in a take), {@code lifo-busy}, {@code priority-busy}, {@code lanes-busy} (a FIFO queue
 * with producer lanes), {@code joinable-busy} (puts, takes, marks done), {@code joinable-join} (waits in join).
 */
public final class TruncationChildMain
{
    /** Loop iterations of a busy mode before it prints READY: enough for the JIT to compile the calls it makes. */
    static final long WARM_ITERATIONS = 50_000;
    /** Waits of a blocked mode before it prints READY, each ended by another thread: the JIT compiles the wait. */
    static final int WARM_WAITS = 600;

    private TruncationChildMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final String mode = args[0];
        final String name = args[1];
        final String path = args[2];
        final UnsafeBuffer message = new UnsafeBuffer(new byte[100]);
        final BufferHandler ignore = (buffer, offset, length) -> { };
        AutoCloseable first = null;
        AutoCloseable second = null;
        try
        {
            switch (mode)
            {
                case "pipe-busy", "pipe-blocked" ->
                {
                    final Connection a = Pipe.create(name, new PipeOptions().ringCapacityBytes(1 << 16));
                    first = a;
                    final Connection b = Pipe.open(name);
                    second = b;
                    if (mode.equals("pipe-blocked"))
                    {
                        warmWaits(() -> b.receive(ignore, 10, TimeUnit.SECONDS), () -> a.sendBytes(message, 0, 8));
                        ready();
                        b.recvBytes();
                    }
                    for (long i = 0; ; i++)
                    {
                        readyOnceWarm(i);
                        a.sendBytes(message, 0, message.capacity());
                        b.receive(ignore, 1, TimeUnit.SECONDS);
                    }
                }
                case "queue-busy", "queue-blocked", "lifo-busy", "priority-busy", "lanes-busy", "joinable-busy",
                     "joinable-join" ->
                {
                    final AbstractSharedQueue<Long> queue = switch (mode)
                    {
                        case "lifo-busy" -> LifoQueue.create(name, Codecs.LONG, new QueueOptions().maxElements(64));
                        case "priority-busy" -> SharedPriorityQueue.create(name, Codecs.LONG, Long::longValue,
                            new QueueOptions().maxElements(64));
                        case "lanes-busy" -> SharedQueue.create(name, Codecs.LONG,
                            new QueueOptions().capacityBytes(1 << 16).producerLanes(2));
                        case "joinable-busy", "joinable-join" -> JoinableQueue.create(name, Codecs.LONG,
                            new QueueOptions().capacityBytes(1 << 16));
                        default -> SharedQueue.create(name, Codecs.LONG, new QueueOptions().capacityBytes(1 << 16));
                    };
                    first = queue;
                    if (mode.equals("queue-blocked"))
                    {
                        warmWaits(() -> queue.poll(10, TimeUnit.SECONDS), () -> queue.put(1L));
                        ready();
                        queue.take();
                    }
                    if (mode.equals("joinable-join"))
                    {
                        final JoinableQueue<Long> joinable = (JoinableQueue<Long>)queue;
                        warmWaits(() ->
                        {
                            joinable.put(1L);
                            joinable.join(10, TimeUnit.SECONDS);
                        }, () ->
                        {
                            joinable.take();
                            joinable.taskDone();
                        });
                        queue.put(1L); // never marked done: join waits
                        ready();
                        joinable.join();
                    }
                    for (long i = 0; ; i++)
                    {
                        readyOnceWarm(i);
                        queue.put(i);
                        queue.poll(1, TimeUnit.SECONDS);
                        if (queue instanceof JoinableQueue<Long> joinable)
                        {
                            joinable.taskDone();
                        }
                    }
                }
                default -> throw new IllegalArgumentException(mode);
            }
        }
        catch (final InternalError ex)
        {
            System.out.println("InternalError raised late");
            System.out.flush();
        }
        catch (final Exception ex)
        {
            System.out.println(ex.getClass().getSimpleName() + " names file: " +
                (ex.getMessage() != null && ex.getMessage().contains(path)));
            System.out.flush();
        }
        if (second != null)
        {
            second.close();
        }
        first.close();
        System.out.println("closed");
        System.out.flush();
    }

    /**
     * A busy mode's READY, once its loop has run {@link #WARM_ITERATIONS} times: the truncation then lands on the
     * steady state of a busy handle, whose compiled code turns a fault into an error as every other access does. A
     * loop just begun runs in the interpreter, where a page lost between a compare-and-set's read and the native
     * compare-and-set ends the JVM: the window {@code FileFaults} documents, which no JVM can recover from.
     */
    private static void readyOnceWarm(final long iteration)
    {
        if (iteration == WARM_ITERATIONS)
        {
            ready();
        }
    }

    /**
     * A blocked mode's warm-up: {@link #WARM_WAITS} blocking calls, each ended by another thread once the call has
     * begun and a pause past its spin has passed, so that the call goes into the doorbell's wait and the wait's code
     * is compiled when the mode then blocks for good and the truncation lands. In a wait just begun, interpreted, a
     * page lost between a compare-and-set's read and the native compare-and-set ends the JVM (see
     * {@link #readyOnceWarm}).
     */
    private static void warmWaits(final Step wait, final Step wake) throws Exception
    {
        final java.util.concurrent.Semaphore waiting = new java.util.concurrent.Semaphore(0);
        final Thread waker = new Thread(() ->
        {
            try
            {
                for (int i = 0; i < WARM_WAITS; i++)
                {
                    if (!waiting.tryAcquire(30, TimeUnit.SECONDS))
                    {
                        throw new IllegalStateException("the waiter did not begin wait " + i);
                    }
                    LockSupport.parkNanos(200_000); // past the call's spin: load for the waiter, not a condition
                    wake.run();
                }
            }
            catch (final Exception ex)
            {
                throw new IllegalStateException(ex);
            }
        }, "warm-waker");
        waker.setDaemon(true);
        waker.start();
        for (int i = 0; i < WARM_WAITS; i++)
        {
            waiting.release();
            wait.run();
        }
        waker.join();
    }

    /** A call of a warm-up that may throw. */
    @FunctionalInterface
    private interface Step
    {
        void run() throws Exception;
    }

    private static void ready()
    {
        System.out.println("READY");
        System.out.flush();
    }
}
