package io.ipckit.manager.connection;

import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Listener/Client pair of multiprocessing.connection over a Unix socket and TCP.
 */
class ListenerClientTest
{
    private static final byte[] KEY = "secret".getBytes(StandardCharsets.UTF_8);

    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldExchangeFramesAfterMutualAuthentication() throws Exception
    {
        final UnixDomainSocketAddress address = UnixDomainSocketAddress.of(dir.path().resolve("listener.sock"));
        try (Listener listener = new Listener(address, KEY))
        {
            final CompletableFuture<FrameConnection> accepted = CompletableFuture.supplyAsync(listener::accept);
            try (FrameConnection client = Client.connect(address, KEY); FrameConnection server = accepted.get())
            {
                client.sendBytes("ping".getBytes(StandardCharsets.UTF_8));
                assertArrayEquals("ping".getBytes(StandardCharsets.UTF_8), server.recvBytes());
                server.sendBytes(new byte[0]);
                assertArrayEquals(new byte[0], client.recvBytes());
            }
        }
        assertFalse(Files.exists(address.getPath()), "the socket file is removed on close");
    }

    @Test
    void shouldRefuseAClientWithAnotherKeyOnBothSides() throws Exception
    {
        final UnixDomainSocketAddress address = UnixDomainSocketAddress.of(dir.path().resolve("listener.sock"));
        try (Listener listener = new Listener(address, KEY))
        {
            final CompletableFuture<FrameConnection> accepted = CompletableFuture.supplyAsync(listener::accept);
            final AuthenticationException clientSide = assertThrows(AuthenticationException.class,
                () -> Client.connect(address, "other".getBytes(StandardCharsets.UTF_8)));
            assertTrue(clientSide.getMessage().contains("rejected"), clientSide.getMessage());
            final Exception serverSide = assertThrows(Exception.class, accepted::get);
            assertTrue(serverSide.getCause() instanceof AuthenticationException, String.valueOf(serverSide));
            assertTrue(serverSide.getCause().getMessage().contains("wrong"), serverSide.getCause().getMessage());
        }
    }

    @Test
    void shouldRefuseToSendAFrameLongerThanTheMaximum() throws Exception
    {
        final UnixDomainSocketAddress address = UnixDomainSocketAddress.of(dir.path().resolve("listener.sock"));
        try (Listener listener = new Listener(address, null, 1024))
        {
            final CompletableFuture<FrameConnection> accepted = CompletableFuture.supplyAsync(listener::accept);
            try (FrameConnection client = Client.connect(address, null, 1024); FrameConnection server = accepted.get())
            {
                final FrameTooLargeException ex = assertThrows(FrameTooLargeException.class,
                    () -> client.sendBytes(new byte[1025]));
                assertTrue(ex.getMessage().contains("1025"), ex.getMessage());
                assertFalse(server.isClosed());
            }
        }
    }

    @Test
    void shouldRefuseAnAddressNoTransportCarriesNamingIt()
    {
        final java.net.SocketAddress strange = new java.net.SocketAddress()
        {
            @Override
            public String toString()
            {
                return "carrier-pigeon:42";
            }
        };
        final IllegalArgumentException listening = assertThrows(IllegalArgumentException.class,
            () -> new Listener(strange, KEY));
        assertTrue(listening.getMessage().contains("carrier-pigeon:42"), listening.getMessage());
        final IllegalArgumentException connecting = assertThrows(IllegalArgumentException.class,
            () -> Client.connect(strange, KEY));
        assertTrue(connecting.getMessage().contains("no transport for the address carrier-pigeon:42"),
            connecting.getMessage());
    }

    @Test
    void shouldHoldAConnectionToTheHandshakeLimitUntilAuthenticatedOverTcpWithATimedConnect() throws Exception
    {
        final InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try (Listener listener = new Listener(any, KEY, 1 << 16))
        {
            final CompletableFuture<FrameConnection> client = CompletableFuture.supplyAsync(
                () -> Client.connect(listener.address(), KEY, 1 << 16, 5, TimeUnit.SECONDS));
            try (FrameConnection unauthenticated = listener.acceptRaw())
            {
                assertEquals(FrameConnection.MAX_HANDSHAKE_FRAME_BYTES, unauthenticated.maxFrameBytes());
                final FrameConnection served = listener.authenticate(unauthenticated);
                assertEquals(1 << 16, served.maxFrameBytes());
                try (FrameConnection connected = client.get(10, TimeUnit.SECONDS))
                {
                    assertEquals(1 << 16, connected.maxFrameBytes());
                    connected.sendBytes(new byte[1 << 16]);
                    assertEquals(1 << 16, served.recvBytes().length);
                }
            }
        }
    }

    @Test
    void shouldRefuseATimedConnectToNoListenerAndAFrameLimitUnderTheHandshakes() throws Exception
    {
        final InetSocketAddress nobody;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            nobody = new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
        }
        final IpcException refused = assertThrows(IpcException.class,
            () -> Client.connect(nobody, KEY, 1024, 2, TimeUnit.SECONDS));
        assertTrue(refused.getMessage().contains("cannot connect to"), refused.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Client.connect(nobody, KEY, 255, 2, TimeUnit.SECONDS));
    }
}
