package io.ipckit.pipe;

import io.ipckit.core.exceptions.CorruptResourceException;
import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.file.ResourceKind;
import io.ipckit.core.testing.TestDirectory;
import org.agrona.BitUtil;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.TimeUnit;

import static io.ipckit.pipe.Expect.thrown;
import static io.ipckit.pipe.PipeDescriptor.LAYOUT_VERSION;

/**
 * A ring record whose length word another program overwrote with more than the ring holds: the receive names the
 * pipe's corrupt record, where before it allocated what the word said and failed with an IndexOutOfBoundsException
 * from the ring's own clean-up, on this and every later receive.
 */
class CorruptRecordTest
{
    private static final int RING = 1024;
    private static final int MESSAGE = 16;

    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldRefuseAReceiveOfARecordLongerThanTheRing() throws Exception
    {
        try (Connection a = Pipe.create("long-record", new PipeOptions().ringCapacityBytes(RING));
            Connection b = Pipe.open("long-record");
            ResourceFile file = ResourceFile.open("long-record", ResourceKind.PIPE, LAYOUT_VERSION))
        {
            a.sendBytes(new byte[MESSAGE]);
            file.buffer().putIntVolatile(file.headerLength(), 1 << 20); // the first record's length word, ring A to B
            thrown(CorruptResourceException.class, () -> b.recvBytes(1, TimeUnit.SECONDS), "corrupt record",
                "\"long-record\"");
            thrown(CorruptResourceException.class, () -> b.drain((buffer, offset, length) -> { }, 10),
                "corrupt record", "\"long-record\"");
        }
    }

    @Test
    void shouldRefuseADrainThatMeetsARecordLongerThanTheRingAfterAGoodOne() throws Exception
    {
        try (Connection a = Pipe.create("second-record", new PipeOptions().ringCapacityBytes(RING));
            Connection b = Pipe.open("second-record");
            ResourceFile file = ResourceFile.open("second-record", ResourceKind.PIPE, LAYOUT_VERSION))
        {
            a.sendBytes(new byte[MESSAGE]);
            a.sendBytes(new byte[MESSAGE]);
            final int second = BitUtil.align(RecordDescriptor.HEADER_LENGTH + MESSAGE, RecordDescriptor.ALIGNMENT);
            file.buffer().putIntVolatile(file.headerLength() + second, 1 << 20);
            thrown(CorruptResourceException.class, () -> b.drain((buffer, offset, length) -> { }, 10),
                "corrupt record", "\"second-record\"");
        }
    }
}
