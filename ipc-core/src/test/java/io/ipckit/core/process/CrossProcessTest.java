package io.ipckit.core.process;

import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.file.ResourceKind;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.TestDirectory;
import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CrossProcessTest
{
    static final int PARENT_VALUE = 0;
    static final int CHILD_ECHO = 8;
    static final int CHILD_VALUE = 16;

    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldSeeEachOthersWritesThroughANamedResource() throws Exception
    {
        try (ResourceFile file = ResourceFile.create("shared", ResourceKind.TEST, 1, 0, 64, false, null))
        {
            final AtomicBuffer buffer = file.buffer();
            final int data = file.headerLength();
            buffer.putLongRelease(data + PARENT_VALUE, 0xCAFEL);
            final JvmProcess child = dir.start(EchoChild.class, new ProcessOptions().args("shared").daemon(true));
            Eventually.await("child echoes the parent's value", Duration.ofSeconds(30),
                () -> buffer.getLongAcquire(data + CHILD_ECHO) == 0xCAFEL);
            buffer.putLongRelease(data + PARENT_VALUE, 0xBEEFL);
            Eventually.await("child writes its own value after seeing the parent's second write", Duration.ofSeconds(30),
                () -> buffer.getLongAcquire(data + CHILD_VALUE) == 0xBEEFL + 1);
            assertTrue(child.join(30, TimeUnit.SECONDS));
            assertEquals(0, child.exitCode().getAsInt());
            file.unlink();
        }
    }

    /**
     * Opens the resource named in args[0], echoes the parent's first value, then answers its second.
     */
    public static final class EchoChild
    {
        public static void main(final String[] args)
        {
            try (ResourceFile file = ResourceFile.open(args[0], ResourceKind.TEST, 1))
            {
                final AtomicBuffer buffer = file.buffer();
                final int data = file.headerLength();
                buffer.putLongRelease(data + CHILD_ECHO, buffer.getLongAcquire(data + PARENT_VALUE));
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (buffer.getLongAcquire(data + PARENT_VALUE) != 0xBEEFL && System.nanoTime() < deadline)
                {
                    Thread.onSpinWait();
                }
                buffer.putLongRelease(data + CHILD_VALUE, buffer.getLongAcquire(data + PARENT_VALUE) + 1);
            }
        }
    }
}
