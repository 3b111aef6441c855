package io.ipckit.manager;

import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.testing.TestDirectory;
import io.ipckit.manager.connection.AuthenticationException;
import io.ipckit.manager.connection.Client;
import io.ipckit.manager.connection.FrameConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A manager served over TCP in this JVM: authentication, and every kind of bad input refused with a clear error
 * while the server keeps serving its other clients.
 */
class RemoteManagerTest
{
    private static final byte[] KEY = "the right key".getBytes(StandardCharsets.UTF_8);
    private static final int MAX_FRAME_BYTES = 4096;

    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    private ManagerServer server;
    private Manager good;
    private ConcurrentMap<String, Object> dict;


    @BeforeEach
    void serve()
    {
        server = Manager.serve(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), KEY,
            new ManagerOptions().maxFrameBytes(MAX_FRAME_BYTES));
        good = Manager.connect(server.address(), KEY);
        dict = good.dict();
        dict.put("before", 1);
    }

    @AfterEach
    void stop()
    {
        good.close();
        server.close();
    }

    private void assertStillServing()
    {
        dict.put("after", 2);
        assertEquals(1, dict.get("before"));
        try (Manager another = Manager.connect(server.address(), KEY))
        {
            another.list().add("fine");
        }
    }

    @Test
    void shouldKeepTheConnectionForACallMadeWithTheInterruptFlagSet() throws Exception
    {
        final BlockingQueue<String> queue = good.queue();
        final ConcurrentMap<String, Integer> dict = good.dict();
        try
        {
            Thread.currentThread().interrupt();
            // before: the socket's write saw the flag and closed the connection (ManagerGoneException)
            assertNull(dict.put("a", 1), "a call that does not wait, made with the flag set");
            assertTrue(Thread.interrupted(), "the flag kept for the caller");
            Thread.currentThread().interrupt();
            assertThrows(InterruptedException.class, queue::take);
        }
        finally
        {
            Thread.interrupted();
        }
        queue.put("after");
        assertEquals("after", queue.poll());
        assertEquals(1, dict.get("a"));
        assertStillServing();
    }

    @Test
    void shouldRefuseAWrongAuthkeyAndKeepServing()
    {
        final AuthenticationException ex = assertThrows(AuthenticationException.class,
            () -> Manager.connect(server.address(), "wrong".getBytes(StandardCharsets.UTF_8)));
        assertTrue(ex.getMessage().contains("rejected"), ex.getMessage());
        assertStillServing();
    }

    @Test
    void shouldRefuseGarbageBeforeAndAfterTheHandshakeAndKeepServing() throws Exception
    {
        try (Socket raw = new Socket(InetAddress.getLoopbackAddress(),
            ((InetSocketAddress)server.address()).getPort()))
        {
            final OutputStream out = raw.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            final byte[] buffer = new byte[1024];
            final var in = raw.getInputStream();
            try
            {
                while (in.read(buffer) > 0)
                {
                    // the challenge, then the end: the listener hangs up on a stranger
                }
            }
            catch (final java.net.SocketException ex)
            {
                // or resets the connection, having left the stranger's bytes unread
            }
        }
        try (FrameConnection authenticated = Client.connect(server.address(), KEY))
        {
            authenticated.sendBytes(new byte[] {99, 1, 2, 3});
            final byte[] refusal = authenticated.recvBytes();
            assertEquals(7, refusal[0], "a FATAL frame");
            assertTrue(new String(refusal, StandardCharsets.UTF_8).contains("expected HELLO"));
        }
        assertStillServing();
    }

    @Test
    void shouldRefuseAnOversizedFrameAndKeepServing()
    {
        final ManagerOptions bigger = new ManagerOptions().maxFrameBytes(1 << 20);
        final Manager greedy = Manager.connect(server.address(), KEY, bigger);
        final ConcurrentMap<String, Object> mine = greedy.dict();
        final ManagerGoneException ex = assertThrows(ManagerGoneException.class,
            () -> mine.put("big", new byte[MAX_FRAME_BYTES * 2]));
        assertTrue(String.valueOf(ex.getCause()).contains("more than the maximum of " + MAX_FRAME_BYTES), ex.toString());
        greedy.close();
        assertStillServing();
    }

    @Test
    void shouldRefuseAClassOutsideTheAllowListAndKeepServingTheSameClient()
    {
        final IpcException ex = assertThrows(IpcException.class, () -> dict.put("bad", URI.create("http://x")));
        assertTrue(ex.getMessage().contains("java.net.URI"), ex.getMessage());
        assertTrue(ex.getMessage().contains("allowClasses"), ex.getMessage());
        assertInstanceOf(RemoteManagerException.class, ex.getCause());
        assertStillServing();
    }

    @Test
    void shouldAcceptAnAllowListedClassOnBothEnds()
    {
        final ManagerOptions allowing = new ManagerOptions().allowClasses("java.net.URI");
        try (ManagerServer permissive = Manager.serve(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), KEY,
            allowing); Manager client = Manager.connect(permissive.address(), KEY, allowing))
        {
            final ConcurrentMap<String, URI> map = client.dict();
            map.put("ok", URI.create("http://x"));
            assertEquals(URI.create("http://x"), map.get("ok"));
        }
    }
}
