package io.ipckit.pool;

import io.ipckit.core.exceptions.EndOfStreamException;
import io.ipckit.core.exceptions.PeerGoneException;
import io.ipckit.core.testing.TestDirectory;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkerChannelTest
{
    private static final long WAIT_NS = TimeUnit.SECONDS.toNanos(10);

    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldDeliverAMessageThatWaitsBehindThePaddingAtTheWrap() throws Exception
    {
        try (WorkerChannel pool = WorkerChannel.create("channel", 1024);
            WorkerChannel worker = WorkerChannel.open("channel"))
        {
            final UnsafeBuffer message = new UnsafeBuffer(new byte[100]);
            final List<Integer> received = new ArrayList<>();
            final WorkerChannel.Handler handler = (buffer, offset, length) -> received.add(buffer.getInt(offset));
            // 9 records of 112 bytes end at 1008: the 10th does not fit in the 16 bytes left, so the ring pads to
            // the end and writes it at index 0
            for (int i = 0; i < 9; i++)
            {
                message.putInt(0, i);
                pool.send(message, 0, 100, () -> true);
            }
            for (int i = 0; i < 9; i++)
            {
                assertTrue(worker.receive(handler, 0));
            }
            message.putInt(0, 9);
            pool.send(message, 0, 100, () -> true);

            assertTrue(worker.receive(handler, 0), "a read that only skips the padding must not look like an empty ring");
            assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), received);
            pool.unlink();
        }
        assertEquals(List.of(), dir.list());
    }

    @Test
    void shouldWriteAClaimedMessageInPlace() throws Exception
    {
        try (WorkerChannel pool = WorkerChannel.create("claim", 1024);
            WorkerChannel worker = WorkerChannel.open("claim"))
        {
            final int index = pool.claim(12, () -> true);
            pool.claimBuffer().putLong(index, 42L);
            pool.claimBuffer().putInt(index + 8, 7);
            pool.commit(index);
            final long[] got = new long[2];
            assertTrue(worker.receive((buffer, offset, length) ->
            {
                got[0] = buffer.getLong(offset);
                got[1] = buffer.getInt(offset + 8) + length;
            }, WAIT_NS));
            assertEquals(42L, got[0]);
            assertEquals(7 + 12, got[1]);
            pool.unlink();
        }
    }

    @Test
    void shouldReassembleAMessageLongerThanTheRing() throws Exception
    {
        try (WorkerChannel pool = WorkerChannel.create("long", 1024);
            WorkerChannel worker = WorkerChannel.open("long"))
        {
            final byte[] bytes = new byte[10_000];
            for (int i = 0; i < bytes.length; i++)
            {
                bytes[i] = (byte)(i * 31);
            }
            final Thread sender = new Thread(() ->
            {
                try
                {
                    pool.send(new UnsafeBuffer(bytes), 0, bytes.length, () -> true);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            });
            sender.start();
            final byte[][] got = new byte[1][];
            assertTrue(worker.receive((buffer, offset, length) ->
            {
                got[0] = new byte[length];
                buffer.getBytes(offset, got[0]);
            }, WAIT_NS));
            sender.join(TimeUnit.SECONDS.toMillis(10));
            assertFalse(sender.isAlive());
            assertEquals(java.util.Arrays.toString(bytes), java.util.Arrays.toString(got[0]));
            pool.unlink();
        }
    }

    @Test
    void shouldEndTheStreamAfterEverySentMessageWhenThePeerCloses() throws Exception
    {
        try (WorkerChannel pool = WorkerChannel.create("eos", 1024);
            WorkerChannel worker = WorkerChannel.open("eos"))
        {
            final UnsafeBuffer message = new UnsafeBuffer(new byte[8]);
            message.putLong(0, 5);
            worker.send(message, 0, 8, () -> true);
            worker.close();
            final List<Long> received = new ArrayList<>();
            assertTrue(pool.receive((buffer, offset, length) -> received.add(buffer.getLong(offset)), WAIT_NS));
            assertThrows(EndOfStreamException.class, () -> pool.receive((buffer, offset, length) -> { }, WAIT_NS));
            assertEquals(List.of(5L), received);
            pool.unlink();
        }
        assertEquals(List.of(), dir.list());
    }

    @Test
    void shouldFailAClaimWhenAPeerThatNeverOpenedDied() throws Exception
    {
        try (WorkerChannel pool = WorkerChannel.create("unopened", 1024))
        {
            final UnsafeBuffer message = new UnsafeBuffer(new byte[100]);
            for (int i = 0; i < 9; i++)
            {
                pool.send(message, 0, 100, () -> true); // fills the ring: nobody reads
            }
            final PeerGoneException ex = assertThrows(PeerGoneException.class, () -> pool.claim(100, () -> false));
            assertTrue(ex.getMessage().contains("\"unopened\""), ex.getMessage());
            assertThrows(PeerGoneException.class, () -> pool.send(message, 0, 100, () -> false));
            pool.unlink();
        }
        assertEquals(List.of(), dir.list(), "the pool removes a pipe whose worker never opened it");
    }

    @Test
    void shouldThrowInterruptedExceptionFromAWaitingReceive()
    {
        try (WorkerChannel pool = WorkerChannel.create("interrupt", 1024);
            WorkerChannel worker = WorkerChannel.open("interrupt"))
        {
            Thread.currentThread().interrupt();
            assertThrows(InterruptedException.class, () -> pool.receive((buffer, offset, length) -> { }, WAIT_NS));
            assertFalse(Thread.interrupted(), "the interrupt travels as the exception");
            pool.unlink();
        }
    }
}
