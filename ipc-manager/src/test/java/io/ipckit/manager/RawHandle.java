package io.ipckit.manager;

import io.ipckit.core.process.ProcessIdentity;
import io.ipckit.manager.connection.Client;
import io.ipckit.manager.connection.FrameConnection;
import io.ipckit.manager.internal.Wire;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client handle of a manager of this host that speaks the protocol itself ({@link Wire}), for tests that do what a
 * {@code Manager} handle does only in a race: come back with its nonce after its goodbye, send a call again at will,
 * or say it is remote.
 */
final class RawHandle
{
    /** {@code FastPath.BYE}, sent by a handle that closes for good. */
    static final byte BYE = 9;

    private RawHandle()
    {
    }

    /**
     * Connects and says hello as a new local handle that never reconnects.
     *
     * @param name  the manager's name.
     * @param nonce the handle's nonce.
     * @return the connection, its WELCOME (or FATAL) not read yet.
     */
    static FrameConnection open(final String name, final long nonce) throws IOException
    {
        return open(name, nonce, true, false, 0);
    }

    /**
     * Connects and says hello.
     *
     * @param name        the manager's name.
     * @param nonce       the handle's nonce.
     * @param local       false to say it is remote (the manager then does not watch its process).
     * @param resuming    true to say it connects again.
     * @param reconnectMs its reconnect timeout, 0 for none.
     * @return the connection, its WELCOME (or FATAL) not read yet.
     */
    static FrameConnection open(final String name, final long nonce, final boolean local, final boolean resuming,
        final long reconnectMs) throws IOException
    {
        final FrameConnection raw = Client.connect(UnixDomainSocketAddress.of(Manager.socketPath(name)),
            Files.readAllBytes(Manager.keyPath(name)));
        final ProcessIdentity self = ProcessIdentity.current();
        raw.sendBytes(new Wire.Out(Wire.HELLO).putLong(self.pid()).putLong(self.startTime()).putByte(local ? 1 : 0)
            .putLong(nonce).putByte(resuming ? 1 : 0).putLong(reconnectMs).toByteArray());
        return raw;
    }

    /**
     * Asserts that the manager refuses the handle, saying it forgot it, both when it says it is new (as a client of an
     * earlier version does: only the manager's record of the handles it forgot refuses it then) and when it says it
     * connects again.
     *
     * @param name  the manager's name.
     * @param nonce the handle's nonce.
     * @param when  for the messages.
     */
    static void assertRefused(final String name, final long nonce, final String when) throws IOException
    {
        assertFatal(name, nonce, false, "forgot this client handle", when + ", saying it is new");
        assertFatal(name, nonce, true, "forgot this client handle", when + ", saying it connects again");
    }

    /**
     * Asserts that the manager refuses a handle that says it connects again and that it does not remember.
     *
     * @param name  the manager's name.
     * @param nonce the handle's nonce.
     * @param when  for the messages.
     */
    static void assertUnknown(final String name, final long nonce, final String when) throws IOException
    {
        assertFatal(name, nonce, true, "does not remember this client handle", when);
    }

    private static void assertFatal(final String name, final long nonce, final boolean resuming, final String why,
        final String when) throws IOException
    {
        try (FrameConnection raw = open(name, nonce, false, resuming, 0))
        {
            final ByteBuffer answer = ByteBuffer.wrap(raw.recvBytes());
            assertEquals(Wire.FATAL, answer.get(), when);
            final String message = Wire.getString(answer);
            assertTrue(message.contains(why), when + ": " + message);
        }
    }

    /**
     * @return the frame of a call without arguments.
     */
    static byte[] callFrame(
        final long objectId, final String signature, final long callId, final long ackBelow, final long threadId)
    {
        return new Wire.Out(Wire.CALL).putLong(callId).putLong(ackBelow).putLong(objectId).putLong(threadId)
            .putString(signature).putByte(Wire.ARGS_NONE).toByteArray();
    }

    /**
     * Sends a call's frame and reads its reply.
     *
     * @return the reply's status.
     */
    static byte call(final FrameConnection raw, final byte[] frame, final long callId)
    {
        raw.sendBytes(frame);
        final ByteBuffer reply = ByteBuffer.wrap(raw.recvBytes());
        assertEquals(Wire.REPLY, reply.get());
        assertEquals(callId, reply.getLong(), "the reply's call");
        return reply.get();
    }
}
