package io.ipckit.net;

import io.ipckit.core.codec.Codecs;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.TestDirectory;
import io.ipckit.net.bridge.QueueBridge;
import io.ipckit.queue.QueueOptions;
import io.ipckit.queue.SharedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static io.ipckit.net.NetTesting.message;
import static io.ipckit.net.NetTesting.options;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Remote producers feeding a local queue through a {@link QueueBridge}.
 */
@Timeout(60)
class QueueBridgeTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    private final String address = "127.0.0.1:" + NetTesting.freePort();

    @Test
    void shouldPutEveryMessageOfEachProducerOnceInOrderWhileOthersStayConnected() throws Exception
    {
        final int count = 200;
        try (SharedQueue<byte[]> queue = SharedQueue.create("jobs", Codecs.BYTES,
                new QueueOptions().capacityBytes(256 * 1024));
             QueueBridge bridge = QueueBridge.serve(address, queue, options()))
        {
            try (NetConnection first = NetPipe.connect(address, options(), 20, TimeUnit.SECONDS))
            {
                first.send("from the first producer", Codecs.STRING);
                assertEquals("from the first producer",
                    new String(queue.poll(20, TimeUnit.SECONDS), StandardCharsets.UTF_8));

                // served while the first stays connected
                final JvmProcess producer = dir.start(NetPeer.class,
                    new ProcessOptions().args("send-close", address, Integer.toString(count)).inheritIO());
                for (int i = 0; i < count; i++)
                {
                    assertArrayEquals(message(NetPeer.size(i), i), queue.poll(20, TimeUnit.SECONDS),
                        "element #" + i);
                }
                assertTrue(producer.join(20, TimeUnit.SECONDS));
                assertEquals(NetPeer.EXIT_END_OF_STREAM, producer.exitCode().orElseThrow());
                Eventually.await("the second producer's session to end", Duration.ofSeconds(10),
                    () -> bridge.activeConnections() == 1);

                first.send("the first producer, after the second left", Codecs.STRING);
                assertEquals("the first producer, after the second left",
                    new String(queue.poll(20, TimeUnit.SECONDS), StandardCharsets.UTF_8));
            }
            Eventually.await("the bridge to count every message", Duration.ofSeconds(10),
                () -> bridge.messages() == count + 2);
            assertNull(queue.poll());
            assertEquals(2, bridge.connections());
            assertNull(bridge.failure());
        }
    }
}
