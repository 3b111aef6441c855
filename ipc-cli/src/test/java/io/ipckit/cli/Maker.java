package io.ipckit.cli;

import io.ipckit.core.codec.Codecs;
import io.ipckit.pipe.Pipe;
import io.ipckit.queue.QueueOptions;
import io.ipckit.queue.SharedQueue;
import io.ipckit.shm.ShmOptions;
import io.ipckit.shm.array.DType;
import io.ipckit.shm.array.SharedArray;
import io.ipckit.shm.value.SharedValue;
import io.ipckit.shm.sync.SharedBarrier;
import io.ipckit.shm.sync.SharedEvent;
import io.ipckit.shm.sync.SharedLock;
import io.ipckit.shm.sync.SharedSemaphore;

/**
 * A child JVM that creates the resources its arguments name ({@code kind:name}), uses them so that their counters
 * show something, then waits to be killed: the "other process" of the CLI's tests.
 * <ul>
 *     <li>{@code queue:NAME}: a FIFO queue holding "one", "two", "three";</li>
 *     <li>{@code lock:NAME}: a persistent lock, held;</li>
 *     <li>{@code semaphore:NAME}: a semaphore of 3 permits, 1 taken;</li>
 *     <li>{@code barrier:NAME}: a barrier of 3 parties;</li>
 *     <li>{@code event:NAME}: a set event;</li>
 *     <li>{@code pipe:NAME}: a pipe with "hello" sent;</li>
 *     <li>{@code value:NAME}: an int64 value of length 3 holding 7, 8, 9;</li>
 *     <li>{@code array:NAME}: a 2 x 2 float64 array holding 0.5, 1.5, 2.5, 3.5.</li>
 * </ul>
 */
public final class Maker
{
    private Maker()
    {
    }

    /**
     * @param args {@code kind:name} specs.
     * @throws Exception on failure (the test sees the child exit).
     */
    public static void main(final String[] args) throws Exception
    {
        for (final String spec : args)
        {
            final String kind = spec.substring(0, spec.indexOf(':'));
            final String name = spec.substring(spec.indexOf(':') + 1);
            switch (kind)
            {
                case "queue" ->
                {
                    final SharedQueue<String> queue = SharedQueue.create(name, Codecs.STRING, new QueueOptions());
                    queue.put("one");
                    queue.put("two");
                    queue.put("three");
                }
                case "lock" -> SharedLock.create(name, new ShmOptions().persistent(true)).lock();
                case "semaphore" -> SharedSemaphore.create(name, 3).acquire();
                case "barrier" -> SharedBarrier.create(name, 3);
                case "event" -> SharedEvent.create(name).set();
                case "pipe" -> Pipe.create(name).sendBytes("hello".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                case "value" ->
                {
                    final SharedValue value = SharedValue.create(name, DType.INT64, 3);
                    for (int i = 0; i < 3; i++)
                    {
                        value.setLong(i, 7 + i);
                    }
                }
                case "array" ->
                {
                    final SharedArray array = SharedArray.create(name, DType.FLOAT64, 2, 2);
                    for (int i = 0; i < 4; i++)
                    {
                        array.setDouble(i / 2, i % 2, i + 0.5);
                    }
                }
                default -> throw new IllegalArgumentException("unknown kind " + kind);
            }
            System.out.println("made " + spec);
        }
        System.out.println("ready");
        Thread.sleep(120_000);
    }
}
