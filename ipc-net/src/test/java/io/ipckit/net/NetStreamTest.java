package io.ipckit.net;

import io.ipckit.core.exceptions.EndOfStreamException;
import io.ipckit.core.exceptions.IpcTimeoutException;
import io.ipckit.core.exceptions.PeerGoneException;
import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.ipckit.net.NetTesting.message;
import static io.ipckit.net.NetTesting.options;
import static org.junit.jupiter.api.Assertions.*;

/**
 * One-way streams ({@link NetPipe#publish}, {@link NetPipe#subscribe}) on loopback, unicast and multicast, every end
 * in this JVM with its own driver; multicast to several hosts is in {@link NetMultiHostTest}.
 */
@Timeout(60)
class NetStreamTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final String address = "127.0.0.1:" + NetTesting.freePort();

    @Test
    void shouldDeliverAStreamOneWayAndEndItWhenThePublisherCloses() throws Exception
    {
        final Future<NetConnection> subscribing =
            executor.submit(() -> NetPipe.subscribe(address, options(), 20, TimeUnit.SECONDS));
        try (NetConnection publisher = NetPipe.publish(address, options(), 20, TimeUnit.SECONDS);
            NetConnection subscriber = subscribing.get(20, TimeUnit.SECONDS))
        {
            assertTrue(publisher.canSend());
            assertFalse(publisher.canReceive());
            assertFalse(subscriber.canSend());
            assertTrue(subscriber.canReceive());
            assertEquals(publisher.name() + " is a publication: it cannot receive",
                assertThrows(IllegalStateException.class, publisher::recvBytes).getMessage());
            assertEquals(subscriber.name() + " is a subscription: it cannot send",
                assertThrows(IllegalStateException.class, () -> subscriber.tryClaim(8)).getMessage());

            // one at a time: a few of the larger messages fill the receiver's window of this small term
            for (int i = 0; i < 20; i++)
            {
                publisher.sendBytes(message(NetPeer.size(i), i));
                assertArrayEquals(message(NetPeer.size(i), i), subscriber.recvBytes(10, TimeUnit.SECONDS));
            }
            publisher.close();
            assertThrows(EndOfStreamException.class, () -> subscriber.recvBytes(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void shouldDeliverAMulticastStreamOnPlainLoopbackToTwoSubscribers() throws Exception
    {
        // loopback lacks the MULTICAST flag and a route to 224.0.0.0/4, but naming it as the interface is enough:
        // the group is joined on 127.0.0.1 and sent to through it (IP_MULTICAST_IF), no route or flag changed
        final String group = "aeron:udp?endpoint=239.255.42.1:" + NetTesting.freePort() + "|interface=127.0.0.1";
        // at the slowest subscriber's pace: by default a multicast publication keeps the fastest one's, and a
        // subscriber a term behind loses its image
        final String publication = group + "|fc=min";
        final int count = 100;
        final List<Future<NetConnection>> subscribing = List.of(
            executor.submit(() -> NetPipe.subscribe(group, options(), 20, TimeUnit.SECONDS)),
            executor.submit(() -> NetPipe.subscribe(group, options(), 20, TimeUnit.SECONDS)));
        try (NetConnection publisher = NetPipe.publish(publication, options(), 20, TimeUnit.SECONDS);
            NetConnection first = subscribing.get(0).get(20, TimeUnit.SECONDS);
            NetConnection second = subscribing.get(1).get(20, TimeUnit.SECONDS))
        {
            final List<Future<?>> checks = new ArrayList<>();
            for (final NetConnection subscriber : List.of(first, second))
            {
                checks.add(executor.submit(() ->
                {
                    for (int i = 0; i < count; i++)
                    {
                        assertArrayEquals(message(NetPeer.size(i), i), subscriber.recvBytes(10, TimeUnit.SECONDS),
                            "message #" + i);
                    }
                    assertThrows(EndOfStreamException.class, () -> subscriber.recvBytes(10, TimeUnit.SECONDS));
                    return null;
                }));
            }
            for (int i = 0; i < count; i++)
            {
                publisher.sendBytes(message(NetPeer.size(i), i));
            }
            publisher.close();
            for (final Future<?> check : checks)
            {
                check.get(30, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void shouldThrowPeerGoneOnThePublisherWhenItsLastSubscriberLeaves() throws Exception
    {
        final Future<NetConnection> subscribing =
            executor.submit(() -> NetPipe.subscribe(address, options(), 20, TimeUnit.SECONDS));
        try (NetConnection publisher = NetPipe.publish(address, options(), 20, TimeUnit.SECONDS))
        {
            subscribing.get(20, TimeUnit.SECONDS).close();
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(NetTesting.LIVENESS_MS + 5_000);
            assertThrows(PeerGoneException.class, () ->
            {
                while (System.nanoTime() - deadline < 0)
                {
                    publisher.sendBytes(new byte[8]);
                    Thread.onSpinWait();
                }
            });
        }
    }

    @Test
    void shouldTimeOutWhenNobodySubscribesOrPublishes()
    {
        assertThrows(IpcTimeoutException.class, () -> NetPipe.publish(address, options(), 300, TimeUnit.MILLISECONDS));
        assertThrows(IpcTimeoutException.class,
            () -> NetPipe.subscribe(address, options(), 300, TimeUnit.MILLISECONDS));
        assertEquals(java.util.List.of(), dir.list().stream().filter((n) -> n.startsWith("aeron")).toList(),
            "no driver directory left");
    }
}
