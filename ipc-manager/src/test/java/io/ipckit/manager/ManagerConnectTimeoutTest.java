package io.ipckit.manager;

import io.ipckit.core.SharedDirectory;
import io.ipckit.core.exceptions.IpcTimeoutException;
import io.ipckit.core.testing.TestDirectory;
import io.ipckit.manager.connection.Client;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Joining a manager fails clearly: bounded by the call timeout, handshake included (a socket that accepts nothing,
 * its backlog took the connection, as a stopped manager's does, fails the join instead of holding the caller for
 * ever), and a client without the authkey a manager requires is told so.
 */
class ManagerConnectTimeoutTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldSayTheManagerRequiresAnAuthkeyToAClientWithoutOne()
    {
        final UnixDomainSocketAddress address = UnixDomainSocketAddress.of(SharedDirectory.path().resolve("keyed.sock"));
        try (ManagerServer server = Manager.serve(address, new byte[] {1, 2, 3}, new ManagerOptions()))
        {
            final io.ipckit.manager.connection.AuthenticationException refused = assertThrows(
                io.ipckit.manager.connection.AuthenticationException.class, () -> Manager.connect(address, null));
            assertEquals("manager at " + address + " requires an authkey, and this client connected without one: " +
                "connect with the manager's authkey", refused.getMessage());
        }
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldGiveUpAJoinWhoseHandshakeNeverComesWithinTheCallTimeout() throws Exception
    {
        final Path socket = SharedDirectory.path().resolve("manager-silent.sock");
        Files.write(SharedDirectory.path().resolve("manager-silent.key"), new byte[32]);
        try (ServerSocketChannel silent = ServerSocketChannel.open(StandardProtocolFamily.UNIX))
        {
            silent.bind(UnixDomainSocketAddress.of(socket)); // never accepts
            final IpcTimeoutException byName = assertThrows(IpcTimeoutException.class,
                () -> Manager.connect("silent", new ManagerOptions().callTimeout(1, TimeUnit.SECONDS)));
            assertTrue(byName.getMessage().startsWith("no handshake from " + socket + " within 1000 ms"),
                byName.getMessage());
            final IpcTimeoutException raw = assertThrows(IpcTimeoutException.class,
                () -> Client.connect(UnixDomainSocketAddress.of(socket), new byte[32], 1 << 20, 1, TimeUnit.SECONDS));
            assertTrue(raw.getMessage().startsWith("no handshake from " + socket + " within 1000 ms"),
                raw.getMessage());
        }
    }
}
