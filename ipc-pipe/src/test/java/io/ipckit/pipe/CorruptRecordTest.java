package io.ipckit.pipe;

import io.ipckit.core.exceptions.CorruptResourceException;
import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.file.ResourceKind;
import io.ipckit.core.testing.TestDirectory;
import org.agrona.BitUtil;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
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

    /**
     * @param corrupt which of two records is overwritten: the first (the head a receive looks at) or the second (met
     *                by a drain after a good record; before, the drain returned as if nothing were wrong).
     */
    @ParameterizedTest(name = "record {0}")
    @ValueSource(ints = {0, 1})
    void shouldRefuseARecordLongerThanTheRing(final int corrupt) throws Exception
    {
        final String name = "long-record-" + corrupt;
        try (Connection a = Pipe.create(name, new PipeOptions().ringCapacityBytes(RING));
            Connection b = Pipe.open(name);
            ResourceFile file = ResourceFile.open(name, ResourceKind.PIPE, LAYOUT_VERSION))
        {
            a.sendBytes(new byte[MESSAGE]);
            a.sendBytes(new byte[MESSAGE]);
            final int record =
                corrupt * BitUtil.align(RecordDescriptor.HEADER_LENGTH + MESSAGE, RecordDescriptor.ALIGNMENT);
            file.buffer().putIntVolatile(file.headerLength() + record, 1 << 20); // its length word, ring A to B
            if (corrupt == 0)
            {
                thrown(CorruptResourceException.class, () -> b.recvBytes(1, TimeUnit.SECONDS), "corrupt record",
                    "\"" + name + "\"");
            }
            thrown(CorruptResourceException.class, () -> b.drain((buffer, offset, length) -> { }, 10),
                "corrupt record", "\"" + name + "\"");
        }
    }
}
