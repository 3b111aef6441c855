package io.ipckit.manager.connection;

import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Listener/Client pair of multiprocessing.connection over a Unix socket.
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
}
