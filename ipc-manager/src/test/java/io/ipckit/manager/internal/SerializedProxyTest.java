package io.ipckit.manager.internal;

import io.ipckit.core.SharedDirectory;
import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.testing.TestDirectory;
import io.ipckit.manager.Manager;
import io.ipckit.manager.ManagerOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.lang.reflect.Constructor;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A serialized proxy names a socket and a key file: a manager never decodes one from a client (inside the protocol
 * a proxy travels as its ref), and a JVM that decodes one opens only the files of a manager in its own shared
 * directory, with its own allow-list and limits.
 */
class SerializedProxyTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    /**
     * The stream names a listener of the attacker's (here one that never answers, in the shared directory so that
     * only the manager-side refusal can stop it): the manager must not connect to it.
     */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldRefuseASerializedProxySentToTheManagerWithoutConnectingAnywhere() throws Exception
    {
        final Path evilSocket = SharedDirectory.path().resolve("manager-evil.sock");
        final Path evilKey = SharedDirectory.path().resolve("manager-evil.key");
        Files.write(evilKey, new byte[] {1, 2, 3});
        try (ServerSocketChannel evil = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
             Manager manager = Manager.start("p1", new ManagerOptions().callTimeout(5, TimeUnit.SECONDS)))
        {
            evil.bind(UnixDomainSocketAddress.of(evilSocket));
            evil.configureBlocking(false);
            final ConcurrentMap<String, Object> dict = manager.dict();
            final Object crafted = serializedProxy(new ProxyRef("fake", 1, "dict", ConcurrentMap.class.getName()),
                evilSocket.toString(), evilKey.toString());
            final IpcException refused = assertThrows(IpcException.class, () -> dict.put("crafted", crafted));
            assertTrue(refused.getMessage().contains("refused to decode a proxy serialized outside the manager " +
                "protocol (io.ipckit.manager.internal.SerializedProxy)"), refused.getMessage());
            assertNull(evil.accept(), "the manager connected to the socket named in the stream");
            assertFalse(dict.containsKey("crafted"));
            dict.put("after", 1);
            assertEquals(1, dict.get("after"), "the manager serves on after the refusal");
            manager.shutdown();
        }
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldRefuseToReattachToFilesOutsideTheSharedDirectoryOrOfTwoNames() throws Exception
    {
        final String dirText = SharedDirectory.path().toString();
        final Path outside = Files.createTempFile("ipckit-not-a-key", ".key");
        try
        {
            final List<String[]> bad = List.of(
                new String[] {"/tmp/evil.sock", dirText + "/manager-x.key"},
                new String[] {dirText + "/manager-x.sock", outside.toString()},
                new String[] {dirText + "/manager-x.sock", dirText + "/manager-y.key"},
                new String[] {dirText + "/../manager-x.sock", dirText + "/../manager-x.key"},
                new String[] {dirText + "/evil.sock", dirText + "/evil.key"});
            for (final String[] files : bad)
            {
                final byte[] bytes = serialize(serializedProxy(new ProxyRef("m", 1, "dict",
                    ConcurrentMap.class.getName()), files[0], files[1]));
                final InvalidObjectException refused = assertThrows(InvalidObjectException.class,
                    () -> deserialize(bytes), String.join(" ", files));
                assertTrue(refused.getMessage().startsWith("refused a serialized proxy naming socket " + files[0] +
                    " and key " + files[1]), refused.getMessage());
            }
        }
        finally
        {
            Files.deleteIfExists(outside);
        }
    }

    /** Builds one through its canonical constructor, whatever its extra components (the old form had six). */
    private static Object serializedProxy(final ProxyRef ref, final String socket, final String key) throws Exception
    {
        final Constructor<?> constructor = SerializedProxy.class.getDeclaredConstructors()[0];
        constructor.setAccessible(true);
        return constructor.newInstance(ref, socket, key);
    }

    private static byte[] serialize(final Object value) throws Exception
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes))
        {
            out.writeObject(value);
        }
        return bytes.toByteArray();
    }

    private static Object deserialize(final byte[] bytes) throws Exception
    {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes)))
        {
            return in.readObject();
        }
    }
}
