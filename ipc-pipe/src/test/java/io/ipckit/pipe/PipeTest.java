package io.ipckit.pipe;

import io.ipckit.core.codec.Codecs;
import io.ipckit.core.exceptions.EndOfStreamException;
import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.exceptions.PeerGoneException;
import io.ipckit.core.exceptions.WrongResourceKindException;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.TestDirectory;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static io.ipckit.pipe.Expect.thrown;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class PipeTest
{
    private static final int RING = 4096;
    private static final long SECOND_NS = TimeUnit.SECONDS.toNanos(1);

    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldDeliverEveryMessageIntactInOrderFromAnotherProcessThenEndOfStream() throws Exception
    {
        final int count = 300;
        final int maxPayload = 3 * RING;
        try (Connection a = Pipe.create("p1", new PipeOptions().ringCapacityBytes(RING)))
        {
            final JvmProcess child = dir.start(PipeChildMain.class,
                "produce", "p1", Integer.toString(count), Integer.toString(maxPayload));
            final long[] next = {0};
            for (int i = 0; i < count; i++)
            {
                assertTrue(a.receive((buffer, offset, length) ->
                {
                    final long id = TestMessages.verify(buffer, offset, length, maxPayload);
                    assertEquals((1L << 40) | next[0], id);
                    next[0]++;
                }, 20 * SECOND_NS));
            }
            thrown(EndOfStreamException.class, () -> a.recvBytes(20 * SECOND_NS), "p1", "closed");
            assertTrue(child.join(20, TimeUnit.SECONDS));
            assertEquals(0, child.exitCode().getAsInt());
        }
    }

    @Test
    void shouldRoundTripThroughAnEchoProcessWithBlockingAndSpinningWaits() throws Exception
    {
        try (Connection a = Pipe.create("echo", new PipeOptions().ringCapacityBytes(RING)))
        {
            final JvmProcess child = dir.start(PipeChildMain.class, "echo", "echo");
            for (int i = 0; i < 50; i++)
            {
                a.send("hello " + i, Codecs.STRING);
                assertEquals("hello " + i, a.recv(Codecs.STRING, 20 * SECOND_NS));
            }
            a.idleStrategy(new BusySpinIdleStrategy());
            final byte[] big = new byte[5 * RING + 3];
            ThreadLocalRandom.current().nextBytes(big);
            a.sendBytes(big);
            assertArrayEquals(big, a.recvBytes(20 * SECOND_NS));
            a.close();
            assertTrue(child.join(20, TimeUnit.SECONDS));
            assertEquals(0, child.exitCode().getAsInt());
        }
    }

    @Test
    void shouldRoundTripWithAProcessThatFencesEveryPublishInsteadOfMembarrier() throws Exception
    {
        // this process skips its per-message fence (membarrier registered where the kernel has it), the child
        // fences every publish: wake-ups must work both ways in the mixed mode
        try (Connection a = Pipe.create("fenced", new PipeOptions().ringCapacityBytes(RING)))
        {
            final JvmProcess child = dir.start(PipeChildMain.class, new ProcessOptions().args("echo-fenced", "fenced")
                .jvmOptions("-D" + io.ipckit.core.internal.wait.AsymmetricFence.ENABLED_PROP_NAME + "=false"));
            for (int i = 0; i < 2_000; i++)
            {
                a.send("ping " + i, Codecs.STRING);
                assertEquals("ping " + i, a.recv(Codecs.STRING, 20 * SECOND_NS));
            }
            a.close();
            assertTrue(child.join(20, TimeUnit.SECONDS));
            assertEquals(0, child.exitCode().getAsInt(), "the child ran without the asymmetric fence");
        }
    }

    @Test
    void shouldThrowPeerGoneAfterCommittedMessagesWhenWriterIsKilled() throws Exception
    {
        final int count = 20;
        try (Connection a = Pipe.create("killed", new PipeOptions().ringCapacityBytes(RING * 4)))
        {
            final JvmProcess child = dir.start(PipeChildMain.class,
                "produce-hang", "killed", Integer.toString(count), "100");
            final List<Long> received = new ArrayList<>();
            for (int i = 0; i < count; i++)
            {
                assertTrue(a.receive((buffer, offset, length) ->
                    received.add(TestMessages.verify(buffer, offset, length, 100)), 20 * SECOND_NS));
            }
            child.kill();
            assertTrue(child.join(20, TimeUnit.SECONDS));
            final long startNs = System.nanoTime();
            thrown(PeerGoneException.class, () -> a.recvBytes(20 * SECOND_NS), "died", Long.toString(child.pid()));
            assertTrue(System.nanoTime() - startNs < 10 * SECOND_NS, "peer death noticed within 10 s");
            assertEquals(count, received.stream().distinct().count());
        }
    }

    @Test
    void shouldDeliverOnlyWholeMessagesWhenWriterIsKilledAtRandomMoments() throws Exception
    {
        final int maxPayload = 3 * RING;
        for (int round = 0; round < 3; round++)
        {
            final String name = "random-kill-" + round;
            try (Connection a = Pipe.create(name, new PipeOptions().ringCapacityBytes(RING)))
            {
                final JvmProcess child = dir.start(PipeChildMain.class,
                    "produce-forever", name, Integer.toString(maxPayload));
                final int killAfter = ThreadLocalRandom.current().nextInt(1, 200);
                final long[] next = {0};
                try
                {
                    while (true)
                    {
                        assertTrue(a.receive((buffer, offset, length) ->
                        {
                            assertEquals((1L << 40) | next[0],
                                TestMessages.verify(buffer, offset, length, maxPayload));
                            next[0]++;
                        }, 20 * SECOND_NS));
                        if (next[0] == killAfter)
                        {
                            child.kill();
                        }
                    }
                }
                catch (final PeerGoneException expected)
                {
                    assertTrue(next[0] >= killAfter);
                }
            }
        }
    }

    @Test
    void shouldRefuseAThirdProcessOnATakenEndAndLetItTakeOverFromADeadHolder() throws Exception
    {
        try (Connection a = Pipe.create("taken"))
        {
            final Path out = dir.path().resolve("hold.out");
            final JvmProcess holder = dir.start(PipeChildMain.class, new ProcessOptions().args("hold", "taken")
                .redirectOutput(out));
            Eventually.await("holder opened end B", Duration.ofSeconds(20), () -> contains(out, "OPEN"));
            thrown(IpcException.class, () -> Pipe.open("taken"),
                "end B of pipe \"taken\" is taken by the live process pid " + holder.pid());
            holder.kill();
            assertTrue(holder.join(20, TimeUnit.SECONDS));
            try (Connection b = Pipe.open("taken"))
            {
                a.sendBytes(new byte[] {42});
                assertArrayEquals(new byte[] {42}, b.recvBytes(SECOND_NS));
            }
        }
    }

    @Test
    void shouldThrowPeerGoneToASenderBlockedOnAFullRingWhenTheReaderDies() throws Exception
    {
        try (Connection a = Pipe.create("full", new PipeOptions().ringCapacityBytes(1024)))
        {
            final Path out = dir.path().resolve("hold.out");
            final JvmProcess holder = dir.start(PipeChildMain.class, new ProcessOptions().args("hold", "full")
                .redirectOutput(out));
            Eventually.await("holder opened end B", Duration.ofSeconds(20), () -> contains(out, "OPEN"));
            final byte[] message = new byte[100];
            while (a.sendBytes(new org.agrona.concurrent.UnsafeBuffer(message), 0, message.length, 0))
            {
                assertTrue(holder.isAlive());
            }
            holder.kill();
            assertTrue(holder.join(30, TimeUnit.SECONDS));
            // calls that do not wait see it too: a full ring's dead reader never makes room
            final org.agrona.concurrent.UnsafeBuffer buffer = new org.agrona.concurrent.UnsafeBuffer(message);
            Eventually.await("a non-blocking send reports the dead reader", Duration.ofSeconds(10), () ->
            {
                try
                {
                    return a.sendBytes(buffer, 0, message.length, 0) && false;
                }
                catch (final PeerGoneException expected)
                {
                    return expected.getMessage().contains("died");
                }
            });
            thrown(PeerGoneException.class, () -> a.tryClaim(8), "died");
            thrown(PeerGoneException.class, () -> a.sendBytes(message), "died");
        }
    }

    @Test
    void shouldReturnSentMessagesThenEndOfStreamAfterPeerCloses()
    {
        try (Connection a = Pipe.create("eof"); Connection b = Pipe.open("eof"))
        {
            a.send("one");
            a.send(2L);
            a.close();
            assertTrue(b.poll());
            assertEquals("one", b.recv());
            assertEquals(2L, b.recv());
            assertTrue(b.poll());
            thrown(EndOfStreamException.class, b::recv);
            thrown(PeerGoneException.class, () -> b.send("x"), "closed");
        }
    }

    @Test
    void shouldTimeOutReceiveAndPollOnAnEmptyPipe()
    {
        try (Connection a = Pipe.create("empty"); Connection b = Pipe.open("empty"))
        {
            assertFalse(b.poll(20, TimeUnit.MILLISECONDS));
            assertNull(b.recvBytes(TimeUnit.MILLISECONDS.toNanos(20)));
            assertNull(b.recv(Codecs.STRING, 0));
            assertFalse(a.poll());
        }
    }

    @Test
    void shouldSendZeroCopyClaimsBatchesAndEmptyMessages()
    {
        try (Connection a = Pipe.create("zc", new PipeOptions().ringCapacityBytes(RING));
            Connection b = Pipe.open("zc"))
        {
            final int index = a.claim(8, SECOND_NS);
            a.claimBuffer().putLong(index, 77L);
            a.commit(index);
            final int aborted = a.tryClaim(4);
            a.abort(aborted);
            a.sendBytes(new byte[0]);
            final ExpandableArrayBuffer src = new ExpandableArrayBuffer(64);
            src.putInt(0, 1);
            src.putInt(4, 2);
            src.putInt(8, 3);
            a.sendBatch(src, new int[] {0, 4, 8}, new int[] {4, 4, 4}, 3);

            final long[] value = new long[1];
            assertTrue(b.receive((buffer, offset, length) -> value[0] = buffer.getLong(offset), 0));
            assertEquals(77L, value[0]);
            assertEquals(0, b.recvBytes(0).length);
            final List<Integer> ints = new ArrayList<>();
            assertEquals(3, b.drain((buffer, offset, length) -> ints.add(buffer.getInt(offset)), 10));
            assertEquals(List.of(1, 2, 3), ints);
            assertEquals(0, b.drain((buffer, offset, length) -> ints.add(-1), 10));
        }
    }

    @Test
    void shouldRejectBadInput()
    {
        try (Connection a = Pipe.create("bad", new PipeOptions().ringCapacityBytes(RING).duplex(false));
            Connection b = Pipe.open("bad"))
        {
            thrown(NullPointerException.class, () -> a.send(null));
            thrown(IllegalArgumentException.class, () -> a.tryClaim(a.maxClaimLength() + 1), "sendBytes");
            thrown(IllegalStateException.class, () -> b.sendBytes(new byte[1]), "one-way");
            thrown(IllegalStateException.class, () -> a.recvBytes(0), "one-way");
            thrown(IpcException.class, () -> Pipe.open("bad"), "already open in this process");
            thrown(io.ipckit.core.exceptions.ResourceExistsException.class, () -> Pipe.create("bad"));
            b.close();
            thrown(IpcException.class, () -> Pipe.open("bad"), "cannot be reopened");
        }
        assertFalse(dir.list().contains("bad"), "closing both ends removes the pipe");
    }

    @Test
    void shouldRefuseToOpenAnotherKindAsAPipe()
    {
        io.ipckit.core.file.ResourceFile.create("not-a-pipe", io.ipckit.core.file.ResourceKind.TEST, 1, 0, 64, false,
            null).close();
        thrown(WrongResourceKindException.class, () -> Pipe.open("not-a-pipe"), "not a Pipe");
    }

    @Test
    void shouldRefuseAPipeOfAnOlderLayout()
    {
        // layout 1 woke its readers with the plain wake protocol, which this ipckit's doorbells do not honour
        io.ipckit.core.file.ResourceFile.create("old-pipe", io.ipckit.core.file.ResourceKind.PIPE,
            PipeDescriptor.LAYOUT_VERSION - 1, 0, 64, false, null).close();
        thrown(io.ipckit.core.exceptions.IncompatibleVersionException.class, () -> Pipe.open("old-pipe"),
            "old-pipe", "layout version 1", "an older ipckit");
    }

    @Test
    void shouldRefuseAPipeFileWithACorruptLayout()
    {
        try (Connection a = Pipe.create("corrupt");
            io.ipckit.core.file.ResourceFile file = io.ipckit.core.file.ResourceFile.open("corrupt",
                io.ipckit.core.file.ResourceKind.PIPE, PipeDescriptor.LAYOUT_VERSION))
        {
            file.buffer().putInt(file.metadataOffset() + PipeDescriptor.RING_CAPACITY_OFFSET, 1000);
            thrown(io.ipckit.core.exceptions.CorruptResourceException.class, () -> Pipe.open("corrupt"),
                "corrupt layout");
        }
    }

    @Test
    void shouldWakeABlockedReceiverWhenItsOwnHandleIsClosed() throws Exception
    {
        final Connection a = Pipe.create("self-close");
        final Throwable[] thrown = new Throwable[1];
        final Thread thread = new Thread(() ->
        {
            try
            {
                a.recvBytes();
            }
            catch (final Throwable ex)
            {
                thrown[0] = ex;
            }
        });
        thread.start();
        Eventually.await("receiver started", Duration.ofSeconds(10), () -> thread.getState() != Thread.State.NEW);
        a.close();
        thread.join(10_000);
        assertFalse(thread.isAlive());
        assertTrue(thrown[0] instanceof io.ipckit.core.exceptions.ResourceClosedException, String.valueOf(thrown[0]));
    }

    @Test
    void shouldHonourInterruptionOfABlockedReceive() throws Exception
    {
        try (Connection a = Pipe.create("intr"); Connection b = Pipe.open("intr"))
        {
            final Throwable[] thrown = new Throwable[1];
            final Thread thread = new Thread(() ->
            {
                try
                {
                    b.recvBytes();
                }
                catch (final Throwable ex)
                {
                    thrown[0] = ex;
                }
            });
            thread.start();
            Eventually.await("receiver blocked", Duration.ofSeconds(10),
                () -> thread.getState() == Thread.State.TIMED_WAITING || thread.getState() == Thread.State.RUNNABLE);
            thread.interrupt();
            thread.join(10_000);
            assertFalse(thread.isAlive());
            assertTrue(thrown[0] instanceof IpcException && thrown[0].getMessage().contains("interrupted"),
                String.valueOf(thrown[0]));
        }
    }

    private static boolean contains(final Path file, final String text)
    {
        try
        {
            return Files.exists(file) && Files.readString(file, StandardCharsets.UTF_8).contains(text);
        }
        catch (final java.io.IOException ex)
        {
            return false;
        }
    }
}
