package io.ipckit.pool;

import io.ipckit.core.testing.TestDirectory;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class WorkerLinkTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldDeliverAMessageThatWaitsBehindThePaddingAtTheWrap() throws Exception
    {
        try (WorkerLink pool = WorkerLink.create("link", 1024);
             WorkerLink worker = WorkerLink.open("link"))
        {
            final UnsafeBuffer message = new UnsafeBuffer(new byte[100]);
            final List<Integer> received = new ArrayList<>();
            // 9 records of 112 bytes end at 1008: the 10th does not fit in the 16 bytes left, so the ring pads to
            // the end and writes it at index 0
            for (int i = 0; i < 9; i++)
            {
                message.putInt(0, i);
                pool.send(message, 0, 100, () -> true);
            }
            assertEquals(9, worker.receive((type, buffer, index, length) -> received.add(buffer.getInt(index)), 0));
            message.putInt(0, 9);
            pool.send(message, 0, 100, () -> true);

            assertEquals(1, worker.receive((type, buffer, index, length) -> received.add(buffer.getInt(index)), 0),
                "a read that only skips the padding must not look like an empty ring");
            assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), received);
            pool.unlink();
        }
    }
}
