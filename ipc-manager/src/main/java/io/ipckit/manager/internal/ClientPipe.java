package io.ipckit.manager.internal;

import io.ipckit.core.internal.kit.Doorbell;
import io.ipckit.core.internal.wait.NativeBinding;
import io.ipckit.pipe.BufferHandler;
import io.ipckit.pipe.Connection;
import io.ipckit.pipe.Pipe;
import io.ipckit.pipe.PipeConnection;
import io.ipckit.shm.SharedMemory;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A local client's end of its pipe to the manager ({@link PipeLink} is the other) and the doorbell of the manager's
 * workers ({@link FastPath}): sends a frame and rings, and lets one calling thread at a time read replies
 * ({@link #tryLead()}), so a caller usually reads its own reply with no thread in between.
 * <p>
 * Thread-safe: sends are serialized by a lock; receiving is for the thread that holds the lead; {@link #close()}
 * may run while a leader receives: the pipe, whose records the leader's handler reads in place, is closed as the
 * leader leaves its receive (within one read slice when it waits), never under it.
 */
final class ClientPipe implements AutoCloseable
{
    private final Connection pipe;
    private final SharedMemory bellMemory;
    private final Doorbell bell = new Doorbell();
    private final ReentrantLock sendLock = new ReentrantLock();
    private final ReentrantLock lead = new ReentrantLock();
    private final UnsafeBuffer sendBuffer = new UnsafeBuffer(new byte[0]);
    private boolean closed;
    /**
     * Threads inside {@link #receive}, plus {@link #CLOSING} once closed: the pipe reads its ring in place, so it is
     * closed (unmapped) by whichever of the close and the last receiving thread comes last.
     */
    private final AtomicInteger receivers = new AtomicInteger();
    private static final int CLOSING = 1 << 30;

    /**
     * Opens the client's end and the doorbell.
     *
     * @param pipeName the pipe the manager offered.
     * @param bellName the manager's doorbell segment.
     * @throws io.ipckit.core.exceptions.IpcException when either cannot be opened.
     */
    ClientPipe(final String pipeName, final String bellName)
    {
        final Connection opened = Pipe.open(pipeName);
        try
        {
            bellMemory = SharedMemory.open(bellName);
            bell.wrap(bellMemory.buffer(), 0);
            // a frame longer than the ring goes in parts: ring as the send waits for room, or a worker asleep when
            // the frame began reads the parts only at the end of its 250 ms sleep slice, each time the ring fills (a
            // 280 KB call took 2.3 s). The parts are in the ring before the ring; the worker's reads make the room.
            ((PipeConnection)opened).beforeSendWaits(bell::ring);
            // every call rings the manager's workers, asleep in the kernel when idle; a JVM binds its futex call 150 ms
            // after it first needs it and queues its wakes until then, so one of a new client's first calls in three
            // waited 145-232 ms. Bind now, once per JVM (about 90 ms of a cold JVM's connect, measured; nothing after)
            NativeBinding.instance().bindNow();
        }
        catch (final RuntimeException ex)
        {
            opened.close();
            throw ex;
        }
        pipe = opened;
    }

    /**
     * Sends one frame and rings the manager's workers.
     *
     * @param bytes     the frame.
     * @param length    its length.
     * @param timeoutNs the most to wait for the send lock and for room in the ring; negative for no limit. A frame
     *                  whose time runs out part-way is discarded by the manager.
     * @return true when sent, false when the time ran out.
     * @throws InterruptedException when interrupted while waiting for the lock or for room in the ring.
     * @throws io.ipckit.core.exceptions.PeerGoneException when the manager closed its end or died.
     * @throws io.ipckit.core.exceptions.ResourceClosedException when this end is closed.
     */
    boolean send(final byte[] bytes, final int length, final long timeoutNs) throws InterruptedException
    {
        final long startNs = System.nanoTime();
        if (timeoutNs < 0)
        {
            sendLock.lock();
        }
        else if (!sendLock.tryLock(timeoutNs, TimeUnit.NANOSECONDS))
        {
            return false;
        }
        final long leftNs = timeoutNs < 0 ? -1 : Math.max(0, timeoutNs - (System.nanoTime() - startNs));
        return sendHoldingLock(bytes, length, leftNs);
    }

    /**
     * Sends one frame if there is room now, and rings.
     *
     * @param bytes  the frame.
     * @param length its length.
     * @return true when sent.
     * @throws InterruptedException never in practice: nothing waits.
     * @throws io.ipckit.core.exceptions.PeerGoneException when the manager closed its end or died.
     * @throws io.ipckit.core.exceptions.ResourceClosedException when this end is closed.
     */
    boolean trySend(final byte[] bytes, final int length) throws InterruptedException
    {
        sendLock.lock();
        return sendHoldingLock(bytes, length, 0);
    }

    /**
     * Holding {@code sendLock}: writes the frame, waiting at most {@code timeoutNs} for room (negative: no limit),
     * then releases the lock and rings.
     */
    private boolean sendHoldingLock(final byte[] bytes, final int length, final long timeoutNs)
        throws InterruptedException
    {
        final boolean sent;
        try
        {
            if (closed)
            {
                throw new io.ipckit.core.exceptions.ResourceClosedException("the pipe to the manager is closed");
            }
            sendBuffer.wrap(bytes, 0, length);
            if (timeoutNs < 0)
            {
                pipe.sendBytes(sendBuffer, 0, length);
                sent = true;
            }
            else
            {
                sent = pipe.sendBytes(sendBuffer, 0, length, timeoutNs, TimeUnit.NANOSECONDS);
            }
        }
        finally
        {
            sendLock.unlock();
        }
        bell.ring();
        return sent;
    }

    /**
     * @return true when the calling thread now reads replies; pair with {@link #endLead()}.
     */
    boolean tryLead()
    {
        return lead.tryLock();
    }

    void endLead()
    {
        lead.unlock();
    }

    /**
     * Reads the next frame; only by the thread holding the lead.
     *
     * @param handler   given the frame.
     * @param timeoutNs the most to wait.
     * @return true when a frame was handed over.
     * @throws InterruptedException when interrupted while waiting.
     * @throws io.ipckit.core.exceptions.EndOfStreamException when the manager closed its end.
     * @throws io.ipckit.core.exceptions.PeerGoneException    when the manager died.
     * @throws io.ipckit.core.exceptions.ResourceClosedException when this end was closed.
     */
    boolean receive(final BufferHandler handler, final long timeoutNs) throws InterruptedException
    {
        int count;
        do
        {
            count = receivers.get();
            if (count >= CLOSING)
            {
                throw new io.ipckit.core.exceptions.ResourceClosedException("the pipe to the manager is closed");
            }
        }
        while (!receivers.compareAndSet(count, count + 1));
        try
        {
            return pipe.receive(handler, timeoutNs, TimeUnit.NANOSECONDS);
        }
        finally
        {
            if (receivers.decrementAndGet() == CLOSING)
            {
                release(); // closed while this thread read: the last one out lets go
            }
        }
    }

    /**
     * Closes the pipe (the manager sees the end of its stream) and the doorbell: at once, or, while another thread
     * receives (its handler reads the ring in place), as that thread leaves. Sends fail from now on. Idempotent.
     */
    @Override
    public void close()
    {
        sendLock.lock();
        try
        {
            if (closed)
            {
                return;
            }
            closed = true;
        }
        finally
        {
            sendLock.unlock();
        }
        if (receivers.addAndGet(CLOSING) == CLOSING)
        {
            release();
        }
    }

    /**
     * Runs once: when closed and no thread receives.
     */
    private void release()
    {
        sendLock.lock(); // no send is under way on the pipe it closes
        try
        {
            pipe.close();
            bellMemory.close();
        }
        finally
        {
            sendLock.unlock();
        }
    }
}
