package io.ipckit.pipe;

import io.ipckit.core.codec.Codecs;
import io.ipckit.core.exceptions.EndOfStreamException;
import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.exceptions.PeerGoneException;
import io.ipckit.core.exceptions.WrongResourceKindException;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.SystemProperties;
import io.ipckit.core.testing.TestDirectory;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
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
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
                }, 20, TimeUnit.SECONDS));
            }
            thrown(EndOfStreamException.class, () -> a.recvBytes(20, TimeUnit.SECONDS), "p1", "closed");
            assertTrue(child.join(20, TimeUnit.SECONDS));
            assertEquals(0, child.exitCode().getAsInt());
        }
    }

    /**
     * A message that did not fit before the ring's end is written at its start, behind padding: one drain must
     * deliver it. A drain that read only the padding returned 0 with the message there, and a manager's worker then
     * slept on its doorbell, whose ring had already come, until its sleep slice ended (250 ms, measured).
     */
    @Test
    void shouldDrainAMessageWrittenBehindTheRingsEndPadding() throws Exception
    {
        try (Connection a = Pipe.create("wrap", new PipeOptions().ringCapacityBytes(1024));
            Connection b = Pipe.open("wrap"))
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[100]);
            final List<Integer> received = new ArrayList<>();
            for (int i = 0; i < 50; i++)
            {
                buffer.putInt(0, i);
                a.sendBytes(buffer, 0, 100);
                assertEquals(1, b.drain((buf, offset, length) -> received.add(buf.getInt(offset)), 10),
                    "message " + i + " (the ring's end comes every nine or ten messages)");
            }
            assertEquals(50, received.size());
            assertEquals(49, received.getLast());
        }
    }

    /**
     * A read whose handler throws has still consumed its record (the ring's read moves the head before it rethrows), so
     * it must wake a sender asleep on the full ring. Before, only a read that returned rang: the sender slept on
     * until its next liveness look, here 10 minutes, once after a throwing {@code drain} and once after a throwing
     * {@code receive}.
     */
    @Test
    void shouldWakeABlockedSenderWhenAHandlerThrowsOnTheRecordItWasGiven() throws Exception
    {
        try (Connection a = Pipe.create("throws", new PipeOptions().ringCapacityBytes(1024)))
        {
            final Path out = dir.path().resolve("fill.out");
            final JvmProcess sender = dir.start(PipeChildMain.class, new ProcessOptions().args("fill-and-block", "throws", "2")
                .jvmOptions("-Dipckit.liveness.check.interval.ms=600000").redirectOutput(out));
            final BufferHandler throwing = (buffer, offset, length) ->
            {
                throw new IllegalStateException("refused by the handler");
            };
            for (int round = 0; round < 2; round++)
            {
                final String full = "FULL " + round;
                Eventually.await("the sender filled the ring", Duration.ofSeconds(20), () -> contains(out, full));
                Eventually.await("the sender asleep on the full ring", Duration.ofSeconds(20),
                    () -> ((PipeConnection)a).sendersAwaitingRoom() > 0);
                if (round == 0)
                {
                    thrown(IllegalStateException.class, () -> a.drain(throwing, 1), "refused by the handler");
                }
                else
                {
                    thrown(IllegalStateException.class, () -> a.receive(throwing, 1, TimeUnit.SECONDS),
                        "refused by the handler");
                }
                final String sent = "SENT " + round;
                // the send took the room the failed read made: the ring is full again for the next round
                Eventually.await("the blocked send went through", Duration.ofSeconds(30), () -> contains(out, sent));
            }
            assertTrue(sender.join(20, TimeUnit.SECONDS));
            assertEquals(0, sender.exitCode().getAsInt());
        }
    }

    /**
     * The action a writer runs as a send begins to wait for room (the manager's clients ring their reader's own
     * doorbell with it): once per wait however long the wait, never for a send that finds room, and the waiting send
     * still wakes on the pipe's own doorbell when the reader makes room.
     */
    @Test
    void shouldRunTheBeforeWaitActionOncePerWaitForRoom() throws Exception
    {
        try (Connection a = Pipe.create("beforewait", new PipeOptions().ringCapacityBytes(1024));
            Connection b = Pipe.open("beforewait"))
        {
            final java.util.concurrent.atomic.AtomicInteger waits = new java.util.concurrent.atomic.AtomicInteger();
            ((PipeConnection)a).beforeSendWaits(waits::incrementAndGet);
            final UnsafeBuffer message = new UnsafeBuffer(new byte[120]);
            while (a.sendBytes(message, 0, 120, 0, TimeUnit.SECONDS))
            {
                // until the ring is full
            }
            assertEquals(-1, a.claim(120, 0, TimeUnit.SECONDS), "no room to claim");
            assertEquals(0, waits.get(), "a send or claim with no time to wait does not wait");
            assertFalse(a.sendBytes(message, 0, 120, 50, TimeUnit.MILLISECONDS), "no room came");
            assertEquals(1, waits.get(), "one wait, one run");
            final java.util.concurrent.CompletableFuture<Boolean> blocked = java.util.concurrent.CompletableFuture
                .supplyAsync(() ->
                {
                    try
                    {
                        return a.sendBytes(message, 0, 120, 30, TimeUnit.SECONDS);
                    }
                    catch (final InterruptedException ex)
                    {
                        throw new IllegalStateException(ex);
                    }
                });
            Eventually.await("the second send waiting", Duration.ofSeconds(20), () -> waits.get() == 2);
            assertNotNull(b.recvBytes(1, TimeUnit.SECONDS));
            assertTrue(blocked.get(30, TimeUnit.SECONDS), "the reader's room woke the waiting send");
            assertEquals(2, waits.get());
            ((PipeConnection)a).beforeSendWaits(null);
            assertFalse(a.sendBytes(message, 0, 120, 10, TimeUnit.MILLISECONDS));
            assertEquals(2, waits.get(), "no action once unset");
        }
    }

    /**
     * A send whose slice lies outside its buffer is refused before any ring record is reserved: the pipe keeps
     * working (Python's {@code send_bytes(msg, 22, 5)} raises {@code ValueError} and the pipe goes on). It once
     * reserved the record first, and the copy's exception left a record that never committed: nothing sent after it
     * was delivered, and the sender blocked forever once the ring filled.
     */
    @Test
    void shouldKeepWorkingAfterASendOfABadSliceIsRefused() throws Exception
    {
        try (Connection a = Pipe.create("slice", new PipeOptions().ringCapacityBytes(1024));
            Connection b = Pipe.open("slice"))
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[26]);
            final int[][] slices = {{22, 5}, {27, 0}, {26, 1}, {-1, 1}, {0, -1}, {0, 27}, {0, 4000}};
            for (final int[] slice : slices)
            {
                thrown(IndexOutOfBoundsException.class, () -> a.sendBytes(buffer, slice[0], slice[1]), "");
                thrown(IndexOutOfBoundsException.class,
                    () -> a.sendBytes(buffer, slice[0], slice[1], 0, TimeUnit.SECONDS), "");
                thrown(IndexOutOfBoundsException.class, () -> a.sendBatch(
                    buffer, new int[] {0, slice[0]}, new int[] {3, slice[1]}, 1, 1), "");
            }
            buffer.putByte(25, (byte)9);
            a.sendBytes(buffer, 25, 1);
            assertArrayEquals(new byte[] {9}, b.recvBytes(1, TimeUnit.SECONDS), "the next message comes through");
            int sent = 0;
            while (a.sendBytes(buffer, 0, 26, 0, TimeUnit.SECONDS))
            {
                sent++;
                assertTrue(sent < 1000, "the ring fills");
            }
            assertEquals(sent, b.drain((buf, offset, length) -> assertEquals(26, length), 1000));
            assertTrue(a.sendBytes(buffer, 0, 26, 1, TimeUnit.SECONDS), "room again once drained");
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
                assertEquals("hello " + i, a.recv(Codecs.STRING, 20, TimeUnit.SECONDS));
            }
            a.idleStrategy(new BusySpinIdleStrategy());
            final byte[] big = new byte[5 * RING + 3];
            ThreadLocalRandom.current().nextBytes(big);
            a.sendBytes(big);
            assertArrayEquals(big, a.recvBytes(20, TimeUnit.SECONDS));
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
                assertEquals("ping " + i, a.recv(Codecs.STRING, 20, TimeUnit.SECONDS));
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
                    received.add(TestMessages.verify(buffer, offset, length, 100)), 20, TimeUnit.SECONDS));
            }
            child.kill();
            assertTrue(child.join(20, TimeUnit.SECONDS));
            final long startNs = System.nanoTime();
            thrown(PeerGoneException.class, () -> a.recvBytes(20, TimeUnit.SECONDS), "died", Long.toString(child.pid()));
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
                        }, 20, TimeUnit.SECONDS));
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
                assertArrayEquals(new byte[] {42}, b.recvBytes(1, TimeUnit.SECONDS));
            }
        }
    }

    /**
     * A sender killed between a claim and its commit, then a process that takes its end over: the new sender's
     * messages come through. Before, the reader stopped for good at the claimed record, which nobody would commit, and
     * the new holder's sends filled the ring behind it.
     */
    @Test
    void shouldPassAClaimItsKilledSenderNeverCommittedOnceAnotherTakesTheEndOver() throws Exception
    {
        try (Connection receiver = Pipe.create("claimed", new PipeOptions().duplex(false).creatorReceives(true)))
        {
            final Path out = dir.path().resolve("claim.out");
            final JvmProcess sender = dir.start(PipeChildMain.class,
                new ProcessOptions().args("claim-and-hold", "claimed", "100").redirectOutput(out));
            Eventually.await("the sender claimed", Duration.ofSeconds(20), () -> contains(out, "CLAIMED"));
            sender.kill();
            assertTrue(sender.join(20, TimeUnit.SECONDS));
            assertArrayEquals(new byte[]{1}, receiver.recvBytes(10, TimeUnit.SECONDS), "the committed message");
            try (Connection next = Pipe.open("claimed"))
            {
                next.sendBytes(new byte[]{2});
                assertArrayEquals(new byte[]{2}, receiver.recvBytes(10, TimeUnit.SECONDS),
                    "the new sender's message, past the claim its dead holder left");
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
            while (a.sendBytes(new org.agrona.concurrent.UnsafeBuffer(message), 0, message.length, 0, TimeUnit.SECONDS))
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
                    return a.sendBytes(buffer, 0, message.length, 0, TimeUnit.SECONDS) && false;
                }
                catch (final PeerGoneException expected)
                {
                    return expected.getMessage().contains("died");
                }
                catch (final InterruptedException ex)
                {
                    throw new AssertionError(ex);
                }
            });
            thrown(PeerGoneException.class, () -> a.tryClaim(8), "died");
            thrown(PeerGoneException.class, () -> a.sendBytes(message), "died");
        }
    }

    @Test
    void shouldSendAValueThatIsItsOwnEncodingFromItsArray() throws Exception
    {
        final OwnEncodingCodec codec = new OwnEncodingCodec();
        try (Connection a = Pipe.create("own", new PipeOptions().ringCapacityBytes(RING));
            Connection b = Pipe.open("own"))
        {
            final int[] lengths = {0, 1, 33, 300, 1000}; // all at once within the 4 KiB ring
            for (int i = 0; i < lengths.length; i++)
            {
                a.send(OwnEncodingCodec.blob(lengths[i], i), codec);
            }
            for (int i = 0; i < lengths.length; i++)
            {
                assertArrayEquals(OwnEncodingCodec.blob(lengths[i], i).bytes(),
                    b.recv(codec, 5, TimeUnit.SECONDS).bytes(), "message " + i);
            }
            // the sending end keeps no reference to the array it copied
            final java.lang.ref.WeakReference<byte[]> sent = sendAndForget(a, codec);
            Eventually.await("the sent array to be collected", Duration.ofSeconds(20), () ->
            {
                System.gc();
                return sent.get() == null;
            });
            assertEquals(2000, b.recv(codec, 5, TimeUnit.SECONDS).bytes().length);
        }
    }

    private static java.lang.ref.WeakReference<byte[]> sendAndForget(final Connection end, final OwnEncodingCodec codec)
        throws InterruptedException
    {
        final OwnEncodingCodec.Blob blob = OwnEncodingCodec.blob(2000, 9);
        end.send(blob, codec);
        return new java.lang.ref.WeakReference<>(blob.bytes());
    }

    @Test
    void shouldReturnSentMessagesThenEndOfStreamAfterPeerCloses() throws Exception
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
    void shouldLetTheReceiverCreateAOneWayPipeForASenderInAnotherProcess() throws Exception
    {
        final int count = 200;
        try (Connection receiver = Pipe.create("rx-first",
            new PipeOptions().ringCapacityBytes(RING).duplex(false).creatorReceives(true)))
        {
            assertTrue(receiver.canReceive());
            assertFalse(receiver.canSend());
            assertTrue(receiver.toString().contains("end B"), receiver.toString());
            final JvmProcess child = dir.start(PipeChildMain.class, "produce", "rx-first", Integer.toString(count), "100");
            for (int i = 0; i < count; i++)
            {
                final byte[] message = receiver.recvBytes(20, TimeUnit.SECONDS);
                assertEquals((1L << 40) | i, TestMessages.verify(new UnsafeBuffer(message), 0, message.length, 100));
            }
            thrown(EndOfStreamException.class, () -> receiver.recvBytes(20, TimeUnit.SECONDS), "closed");
            assertTrue(child.join(20, TimeUnit.SECONDS));
            assertEquals(0, child.exitCode().getAsInt());
        }
    }

    @Test
    void shouldGiveTheOpenerTheSendingEndWhenTheReceiverCreated() throws Exception
    {
        try (Connection receiver = Pipe.create("rx-local", new PipeOptions().duplex(false).creatorReceives(true));
            Connection sender = Pipe.open("rx-local"))
        {
            assertTrue(sender.canSend());
            assertFalse(sender.canReceive());
            sender.send("hello");
            assertEquals("hello", receiver.recv());
            thrown(IllegalStateException.class, () -> receiver.send("back"), "receiving end of a one-way pipe");
            thrown(IpcException.class, () -> Pipe.open("rx-local"), "end A", "already open in this process");
        }
    }

    @Test
    void shouldRefuseCreatorReceivesOnADuplexPipe()
    {
        thrown(IllegalArgumentException.class, () -> Pipe.create("rx-duplex", new PipeOptions().creatorReceives(true)),
            "creatorReceives", "one-way");
    }

    @Test
    void shouldRefuseOptionsFixedAtCreationOnOpen() throws Exception
    {
        try (Connection a = Pipe.create("fixed"))
        {
            thrown(IllegalArgumentException.class,
                () -> Pipe.open("fixed", new PipeOptions().ringCapacityBytes(RING)), "ringCapacityBytes", "fixed");
            thrown(IllegalArgumentException.class,
                () -> Pipe.open("fixed", new PipeOptions().duplex(true)), "PipeOptions.duplex");
            thrown(IllegalArgumentException.class,
                () -> Pipe.open("fixed", new PipeOptions().creatorReceives(false)), "PipeOptions.creatorReceives");
            try (Connection b = Pipe.open("fixed", new PipeOptions().idleStrategy(null).codec(Codecs.STRING)))
            {
                a.send("per-end options apply", Codecs.STRING);
                assertEquals("per-end options apply", b.recv());
            }
        }
    }

    /**
     * Defaults given by system properties are checked as the setters check values. Before, a ring capacity that was
     * not a number was ignored and one out of range was clamped; a negative spin was taken as 0.
     */
    @Test
    void shouldRefuseAPropertyDefaultItsSetterRefuses() throws Exception
    {
        assertEquals("-D" + PipeOptions.SPIN_BEFORE_SLEEP_PROP_NAME + "=-1: spinBeforeSleep must be 0 or more, " +
            "got -1 NANOSECONDS; fix the property or remove it",
            SystemProperties.refusal(PipeOptions.SPIN_BEFORE_SLEEP_PROP_NAME, "-1", PipeOptions::new));
        try (Connection existing = Pipe.create("existing"))
        {
            for (final String value : new String[]{"64k", "100"})
            {
                System.setProperty(PipeOptions.RING_CAPACITY_PROP_NAME, value);
                try
                {
                    // only a create uses the capacity: an open with the same defaults goes on
                    thrown(IllegalArgumentException.class, () -> Pipe.create("bad-capacity", new PipeOptions()),
                        "cannot create pipe \"bad-capacity\": -D" + PipeOptions.RING_CAPACITY_PROP_NAME + "=" + value,
                        "fix the property or remove it, or set the option in code");
                    assertFalse(io.ipckit.core.SharedDirectory.exists("bad-capacity"), "nothing created");
                    Pipe.create("set-" + value, new PipeOptions().ringCapacityBytes(RING)).close(); // goes on
                    if (value.equals("100")) // an end opens once
                    {
                        try (Connection opened = Pipe.open("existing", new PipeOptions()))
                        {
                            existing.send("open", Codecs.STRING);
                            assertEquals("open", opened.recv(Codecs.STRING));
                        }
                    }
                }
                finally
                {
                    System.clearProperty(PipeOptions.RING_CAPACITY_PROP_NAME);
                }
            }
        }
        // a capacity the setter takes is the default, and is no option the caller set: an open goes on
        System.setProperty(PipeOptions.RING_CAPACITY_PROP_NAME, "65536");
        try (Connection created = Pipe.create("capacity-property"); Connection opened = Pipe.open("capacity-property");
            Connection explicit = Pipe.create("capacity-explicit", new PipeOptions().ringCapacityBytes(65536));
            Connection standard = Pipe.create("capacity-standard",
                new PipeOptions().ringCapacityBytes(PipeOptions.RING_CAPACITY_DEFAULT_BYTES)))
        {
            assertEquals(explicit.maxClaimLength(), created.maxClaimLength(), "the property's capacity was used");
            assertTrue(created.maxClaimLength() < standard.maxClaimLength(), "not the built-in default");
            created.send("taken", Codecs.STRING);
            assertEquals("taken", opened.recv(Codecs.STRING));
        }
        finally
        {
            System.clearProperty(PipeOptions.RING_CAPACITY_PROP_NAME);
        }
    }

    @Test
    void shouldRoundTripWithTheLowCpuWaitThatSleepsAtOnce() throws Exception
    {
        thrown(IllegalArgumentException.class, () -> new PipeOptions().spinBeforeSleep(-1, TimeUnit.MICROSECONDS),
            "spinBeforeSleep must be 0 or more, got -1 MICROSECONDS");
        assertEquals(100, new PipeOptions().spinBeforeSleep(TimeUnit.MICROSECONDS), "the default");
        assertEquals(0, new PipeOptions().spinBeforeSleep(0, TimeUnit.SECONDS).spinBeforeSleep(TimeUnit.NANOSECONDS));
        final int rounds = 2_000;
        try (Connection a = Pipe.create("low-cpu", new PipeOptions().spinBeforeSleep(0, TimeUnit.NANOSECONDS));
            Connection b = Pipe.open("low-cpu", new PipeOptions().spinBeforeSleep(0, TimeUnit.NANOSECONDS)))
        {
            final Thread echo = new Thread(() ->
            {
                try
                {
                    for (int i = 0; i < rounds; i++)
                    {
                        b.send(b.recv(Codecs.LONG) + 1, Codecs.LONG);
                    }
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            });
            echo.start();
            for (long i = 0; i < rounds; i++)
            {
                a.send(i, Codecs.LONG);
                assertEquals(i + 1, a.recv(Codecs.LONG, 10, TimeUnit.SECONDS), "each wake-up arrives");
            }
            echo.join(10_000);
            assertFalse(echo.isAlive());
        }
    }

    @Test
    void shouldNotWaitWhenTheTimeoutIsZeroOrLess() throws Exception
    {
        try (Connection a = Pipe.create("no-wait", new PipeOptions().ringCapacityBytes(RING));
            Connection b = Pipe.open("no-wait"))
        {
            final long startNs = System.nanoTime();
            assertFalse(b.poll(-1, TimeUnit.SECONDS), "negative: do not wait (it used to mean forever)");
            assertFalse(b.poll(Long.MIN_VALUE, TimeUnit.NANOSECONDS));
            assertNull(b.recvBytes(-1, TimeUnit.DAYS));
            assertNull(b.recv(Codecs.STRING, Long.MIN_VALUE, TimeUnit.MILLISECONDS));
            assertFalse(b.receive((buffer, offset, length) -> { }, -1, TimeUnit.SECONDS));
            final UnsafeBuffer message = new UnsafeBuffer(new byte[100]);
            while (a.sendBytes(message, 0, 100, -1, TimeUnit.SECONDS))
            {
                assertTrue(System.nanoTime() - startNs < TimeUnit.SECONDS.toNanos(10), "fills the ring");
            }
            assertTrue(a.claim(100, 0, TimeUnit.SECONDS) < 0);
            assertTrue(a.claim(100, Long.MIN_VALUE, TimeUnit.SECONDS) < 0);
            assertTrue(a.tryClaim(100) < 0);
            assertTrue(System.nanoTime() - startNs < TimeUnit.SECONDS.toNanos(10), "none of them waited");
        }
    }

    @Test
    void shouldThrowInterruptedExceptionFromABlockedSend() throws Exception
    {
        try (Connection a = Pipe.create("intr-send", new PipeOptions().ringCapacityBytes(RING));
            Connection b = Pipe.open("intr-send"))
        {
            final UnsafeBuffer message = new UnsafeBuffer(new byte[100]);
            while (a.sendBytes(message, 0, 100, 0, TimeUnit.SECONDS))
            {
                assertTrue(b.canReceive());
            }
            final Throwable[] thrown = new Throwable[1];
            final Thread thread = new Thread(() ->
            {
                try
                {
                    a.sendBytes(message, 0, 100);
                }
                catch (final Throwable ex)
                {
                    thrown[0] = ex;
                }
            });
            thread.start();
            Eventually.await("sender blocked", Duration.ofSeconds(10),
                () -> thread.getState() != Thread.State.NEW);
            thread.interrupt();
            thread.join(10_000);
            assertFalse(thread.isAlive());
            assertTrue(thrown[0] instanceof InterruptedException, String.valueOf(thrown[0]));
        }
    }

    @Test
    void shouldTimeOutReceiveAndPollOnAnEmptyPipe() throws Exception
    {
        try (Connection a = Pipe.create("empty"); Connection b = Pipe.open("empty"))
        {
            assertFalse(b.poll(20, TimeUnit.MILLISECONDS));
            assertNull(b.recvBytes(20, TimeUnit.MILLISECONDS));
            assertNull(b.recv(Codecs.STRING, 0, TimeUnit.SECONDS));
            assertFalse(a.poll());
        }
    }

    @Test
    void shouldSendZeroCopyClaimsBatchesAndEmptyMessages() throws Exception
    {
        try (Connection a = Pipe.create("zc", new PipeOptions().ringCapacityBytes(RING));
            Connection b = Pipe.open("zc"))
        {
            final int index = a.claim(8, 1, TimeUnit.SECONDS);
            a.claimBuffer().putLong(index, 77L);
            a.commit(index);
            final int aborted = a.tryClaim(4);
            a.abort(aborted);
            a.sendBytes(new byte[0]);
            final ExpandableArrayBuffer src = new ExpandableArrayBuffer(64);
            src.putInt(0, 1);
            src.putInt(4, 2);
            src.putInt(8, 3);
            a.sendBatch(src, new int[] {0, 4, 8}, new int[] {4, 4, 4}, 0, 3);

            final long[] value = new long[1];
            assertTrue(b.receive((buffer, offset, length) -> value[0] = buffer.getLong(offset), 0, TimeUnit.SECONDS));
            assertEquals(77L, value[0]);
            assertEquals(0, b.recvBytes(0, TimeUnit.SECONDS).length);
            final List<Integer> ints = new ArrayList<>();
            assertEquals(3, b.drain((buffer, offset, length) -> ints.add(buffer.getInt(offset)), 10));
            assertEquals(List.of(1, 2, 3), ints);
            assertEquals(0, b.drain((buffer, offset, length) -> ints.add(-1), 10));
            a.sendBatch(src, new int[] {0, 4, 8}, new int[] {4, 4, 4}, 1, 2);
            ints.clear();
            assertEquals(2, b.drain((buffer, offset, length) -> ints.add(buffer.getInt(offset)), 10));
            assertEquals(List.of(2, 3), ints, "from the start index on");
            thrown(IndexOutOfBoundsException.class,
                () -> a.sendBatch(src, new int[] {0, 4, 8}, new int[] {4, 4, 4}, 2, 2));
            assertFalse(b.poll(), "a refused batch sends nothing");
        }
    }

    @Test
    void shouldRejectBadInput() throws Exception
    {
        try (Connection a = Pipe.create("bad", new PipeOptions().ringCapacityBytes(RING).duplex(false));
            Connection b = Pipe.open("bad"))
        {
            thrown(NullPointerException.class, () -> a.send(null));
            thrown(IllegalArgumentException.class, () -> a.tryClaim(a.maxClaimLength() + 1), "sendBytes");
            thrown(IllegalStateException.class, () -> b.sendBytes(new byte[1]), "one-way");
            thrown(IllegalStateException.class, () -> a.recvBytes(0, TimeUnit.SECONDS), "one-way");
            thrown(IpcException.class, () -> Pipe.open("bad"), "already open in this process");
            thrown(io.ipckit.core.exceptions.ResourceExistsException.class, () -> Pipe.create("bad"));
            b.close();
            thrown(IpcException.class, () -> Pipe.open("bad"), "cannot be reopened");
        }
        assertFalse(dir.list().contains("bad"), "closing both ends removes the pipe");
    }

    @Test
    void shouldRefuseToOpenAnotherKindAsAPipe() throws Exception
    {
        io.ipckit.core.file.ResourceFile.create("not-a-pipe", io.ipckit.core.file.ResourceKind.TEST, 1, 0, 64, false,
            null).close();
        thrown(WrongResourceKindException.class, () -> Pipe.open("not-a-pipe"), "not a Pipe");
    }

    @Test
    void shouldRefuseAPipeOfAnOlderLayout() throws Exception
    {
        // layout 1 woke its readers with another wake protocol, layout 2 had no creator-receives flag
        io.ipckit.core.file.ResourceFile.create("old-pipe", io.ipckit.core.file.ResourceKind.PIPE,
            PipeDescriptor.LAYOUT_VERSION - 1, 0, 64, false, null).close();
        thrown(io.ipckit.core.exceptions.IncompatibleVersionException.class, () -> Pipe.open("old-pipe"),
            "old-pipe", "layout version " + (PipeDescriptor.LAYOUT_VERSION - 1), "an older ipckit");
    }

    @Test
    void shouldRefuseAPipeFileWithACorruptLayout() throws Exception
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
            assertTrue(thrown[0] instanceof InterruptedException, String.valueOf(thrown[0]));
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
