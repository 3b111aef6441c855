package io.ipckit.demos.cookbook;

import io.ipckit.core.ResourceName;
import io.ipckit.core.codec.Codecs;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.queue.QueueOptions;
import io.ipckit.queue.SharedQueue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Python: {@code def f(q): q.put([42, None, 'hello'])}; {@code p = Process(target=f, args=(q,))};
 * {@code print(q.get())}. Any {@link java.io.Serializable} value travels with the object codec, as any picklable
 * value does in Python; unlike pickle, the codec admits only the classes of {@code java.base} and ipckit unless told
 * more, so that a message cannot instantiate arbitrary classes in the receiver.
 */
public final class QueueFromChild
{
    private QueueFromChild()
    {
    }

    static void f(final String queueName) throws InterruptedException
    {
        try (SharedQueue<List<Object>> q = SharedQueue.open(queueName, Codecs.serializable()))
        {
            q.put(new ArrayList<>(Arrays.asList(42, null, "hello")));
        }
    }

    /**
     * @param args none.
     * @throws InterruptedException when interrupted.
     */
    public static void main(final String[] args) throws InterruptedException
    {
        final String name = ResourceName.random("q_");
        try (SharedQueue<List<Object>> q = SharedQueue.create(name, Codecs.serializable(), new QueueOptions()))
        {
            final JvmProcess p = JvmProcess.start(Child.of(() -> f(name)));
            System.out.println(q.take()); // prints "[42, null, hello]"
            p.join();
            q.unlink();
        }
    }
}
