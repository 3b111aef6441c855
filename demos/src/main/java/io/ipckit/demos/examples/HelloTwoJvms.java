package io.ipckit.demos.examples;

import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.file.ResourceKind;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.core.process.SerializableRunnable;
import io.ipckit.core.internal.wait.Await;
import io.ipckit.core.internal.wait.WakeSignal;

import java.util.concurrent.TimeUnit;

/**
 * The README's short example: two JVMs share one named resource; the child sleeps on a futex until the parent
 * writes and signals.
 */
public final class HelloTwoJvms
{
    private HelloTwoJvms()
    {
    }

    /**
     * @param args none.
     * @throws InterruptedException when interrupted.
     */
    public static void main(final String[] args) throws InterruptedException
    {
        try (ResourceFile file = ResourceFile.create("greeting", ResourceKind.TEST, 1, 0, 64, false, null))
        {
            final int data = file.headerLength();
            final WakeSignal signal = new WakeSignal(file.buffer(), data);
            final JvmProcess child = JvmProcess.start((SerializableRunnable)() ->
            {
                try (ResourceFile mine = ResourceFile.open("greeting", ResourceKind.TEST, 1))
                {
                    final WakeSignal wake = new WakeSignal(mine.buffer(), mine.headerLength());
                    Await.until(() -> mine.buffer().getLongAcquire(mine.headerLength() + 8) != 0, wake, null, -1);
                    System.out.println("child read " + mine.buffer().getLongAcquire(mine.headerLength() + 8));
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }, new ProcessOptions().daemon(true));

            file.buffer().putLongRelease(data + 8, 42);
            signal.signalAll();
            child.join(10, TimeUnit.SECONDS);
            System.out.println("child " + child.pid() + " exited with " + child.exitCode().orElse(Integer.MIN_VALUE));
            file.unlink();
        }
    }
}
