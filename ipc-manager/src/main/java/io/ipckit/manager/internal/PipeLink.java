package io.ipckit.manager.internal;

import io.ipckit.core.ResourceName;
import io.ipckit.core.SharedDirectory;
import io.ipckit.pipe.Connection;
import io.ipckit.pipe.Pipe;
import io.ipckit.pipe.PipeOptions;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The manager's end of one local client's duplex {@link Pipe}: the client's frames arrive on it and the replies
 * leave on it, with the same bytes as on the socket ({@link Wire}). The pipe's name is removed once both ends are
 * open (when the second end closes), or by the resource tracker when both processes die.
 * <p>
 * Note to maintainers: the receiving side is used only by the {@link FastPath} worker that holds the claim
 * ({@link #claim()}), which is also the only thread that closes the pipe ({@link #closeNow()}, under the send lock,
 * so that no reply is being written meanwhile). Replies are sent under the send lock by workers and by the virtual
 * threads of blocking calls. Thread-safe under those rules.
 */
final class PipeLink
{
    /** Each direction's ring, in bytes: calls and replies are small; longer ones are split by the pipe. */
    static final int RING_CAPACITY_BYTES = 64 * 1024;

    private final Connection pipe;
    private final String name;
    private final ServerSession session;
    private final AtomicBoolean claimed = new AtomicBoolean();
    private final Object sendLock = new Object();
    private final UnsafeBuffer sendBuffer = new UnsafeBuffer(new byte[0]);
    private volatile boolean closeRequested;
    private boolean closed;

    /**
     * Creates the pipe (this process holds end A).
     *
     * @param session the client's session.
     * @throws io.ipckit.core.exceptions.IpcException when the pipe cannot be created (no room in the shared
     *                                                directory).
     */
    PipeLink(final ServerSession session)
    {
        this.session = session;
        this.name = ResourceName.random("manager-link-");
        this.pipe = Pipe.create(name, new PipeOptions().ringCapacityBytes(RING_CAPACITY_BYTES));
    }

    String name()
    {
        return name;
    }

    ServerSession session()
    {
        return session;
    }

    Connection pipe()
    {
        return pipe;
    }

    /**
     * @return true when the calling worker now holds the receiving side; pair with {@link #release()}.
     */
    boolean claim()
    {
        return !claimed.get() && claimed.compareAndSet(false, true);
    }

    void release()
    {
        claimed.set(false);
    }

    /**
     * Sends one frame.
     *
     * @param bytes     the frame's bytes.
     * @param length    its length.
     * @param timeoutNs the most to wait for room (the client reads replies only while it waits for one).
     * @return false when the link is closed or the time ran out; the caller ends the session.
     * @throws InterruptedException when interrupted while waiting for room.
     * @throws io.ipckit.core.exceptions.PeerGoneException when the client closed its end or died.
     */
    boolean send(final byte[] bytes, final int length, final long timeoutNs) throws InterruptedException
    {
        synchronized (sendLock)
        {
            if (closed)
            {
                return false;
            }
            sendBuffer.wrap(bytes, 0, length);
            return pipe.sendBytes(sendBuffer, 0, length, timeoutNs, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Asks the worker that next claims this link to close it.
     */
    void requestClose()
    {
        closeRequested = true;
    }

    boolean closeRequested()
    {
        return closeRequested;
    }

    /**
     * Closes the pipe; by the claiming worker, or when no worker polls any more. Idempotent.
     */
    void closeNow()
    {
        synchronized (sendLock)
        {
            if (!closed)
            {
                closed = true;
                pipe.close();
            }
        }
    }

    /**
     * Closes a pipe that was offered and never attached, and removes its name: closing alone leaves the name while
     * the client's end is unopened (only the second end's close, or the resource tracker when both processes died,
     * removes it), and the manager would keep one file per failed handshake for as long as it runs.
     */
    void abandon()
    {
        closeNow();
        SharedDirectory.unlinkIfExists(name);
    }

    @Override
    public String toString()
    {
        return "PipeLink{" + name + ", " + session + "}";
    }
}
