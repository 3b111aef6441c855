package io.ipckit.queue;

import io.ipckit.core.file.ResourceFile;
import io.ipckit.pipe.MessageHandler;
import io.ipckit.pipe.support.CloseGuard;
import org.agrona.DirectBuffer;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The byte-level engine under a queue handle: what the typed queues ({@link AbstractSharedQueue}) call after
 * encoding. Implementations: {@link FifoQueueCore} (a byte ring with a producer lock and a consumer lock) and
 * {@link SlotQueueCore} (fixed slots under one lock, for LIFO and priority order).
 * <p>
 * Threads of one process are serialised by {@link #producerMutex()} and {@link #consumerMutex()}, which callers
 * hold around every producer-side or consumer-side call; processes are serialised by locks in the file.
 */
interface QueueCore extends AutoCloseable
{
    /** How long a non-blocking call waits for a lock that another process holds only briefly. */
    long LOCK_GRACE_NS = 2_000_000L;

    String name();

    ReentrantLock producerMutex();

    ReentrantLock consumerMutex();

    int maxMessageBytes();

    boolean offer(DirectBuffer src, int offset, int length, long key, long timeoutNs) throws InterruptedException;

    boolean poll(MessageHandler handler, long timeoutNs) throws InterruptedException;

    int drain(MessageHandler handler, int limit) throws InterruptedException;

    boolean peek(MessageHandler handler) throws InterruptedException;

    void forEach(MessageHandler handler) throws InterruptedException;

    int size();

    int remainingCapacity();

    CloseGuard guard();

    /**
     * Closes the handle: wakes and waits out blocked threads, then unmaps once in-flight calls have left.
     */
    @Override
    void close();

    /**
     * Unmaps {@code file} once no thread holds either mutex (waiting at most 5 s for each).
     */
    static void closeWhenIdle(final ResourceFile file, final ReentrantLock producerMutex,
        final ReentrantLock consumerMutex)
    {
        boolean producerHeld = false;
        boolean consumerHeld = false;
        try
        {
            producerHeld = producerMutex.tryLock(5, TimeUnit.SECONDS);
            consumerHeld = consumerMutex.tryLock(5, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        finally
        {
            file.close();
            if (consumerHeld)
            {
                consumerMutex.unlock();
            }
            if (producerHeld)
            {
                producerMutex.unlock();
            }
        }
    }

    boolean unlink();
}
