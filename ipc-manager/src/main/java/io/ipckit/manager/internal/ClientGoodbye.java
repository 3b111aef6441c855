package io.ipckit.manager.internal;

import io.ipckit.manager.connection.FrameConnection;

import java.util.concurrent.TimeUnit;

/**
 * A client handle's last frame ({@link FastPath#BYE}): it closes for good, so a durable manager forgets the outcomes
 * of its calls, and a manager reading it through the pipe ends the session at once instead of when it sees the pipe
 * closed or the process dead.
 */
final class ClientGoodbye
{
    /**
     * The most a close waits for its goodbye to a durable manager to be written: the write waits only when the
     * socket's buffer or the pipe is full, which a manager that stopped reading leaves it.
     */
    static final long WAIT_MS = 1_000;

    private ClientGoodbye()
    {
    }

    /**
     * Says goodbye through the pipe when there is one, waiting for room at most {@code waitMs}; else on the socket,
     * where the write runs on a thread of its own and is waited for as long (at least 1 ms), or until the caller is
     * interrupted (the interrupt is kept). A close never hangs on a manager that does not read (the socket's close
     * then ends the write). A manager that does not get it keeps the outcomes until it sees the client's process
     * dead.
     *
     * @param viaPipe the pipe, or null.
     * @param socket  the socket.
     * @param waitMs  the most to wait.
     */
    static void say(final ClientPipe viaPipe, final FrameConnection socket, final long waitMs)
    {
        if (viaPipe != null)
        {
            try
            {
                viaPipe.send(new byte[] {FastPath.BYE}, 1, TimeUnit.MILLISECONDS.toNanos(waitMs));
            }
            catch (final RuntimeException ex)
            {
                // gone already: the manager notices the closed pipe instead
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            return;
        }
        final Thread sender = Thread.ofVirtual().name("ipckit-manager-goodbye").start(() ->
        {
            try
            {
                socket.sendBytes(new byte[] {FastPath.BYE});
            }
            catch (final RuntimeException ex)
            {
                // gone already: it has nothing to forget that it will be asked for
            }
        });
        try
        {
            sender.join(Math.max(1, waitMs));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
