package io.ipckit.demos.cookbook;

import io.ipckit.core.ResourceName;
import io.ipckit.core.codec.Codecs;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.queue.LifoQueue;
import io.ipckit.queue.QueueOptions;
import io.ipckit.queue.SharedPriorityQueue;

/**
 * Python: the notes' "FIFO, LIFO, priority" ({@code queue.LifoQueue}, {@code queue.PriorityQueue} and the
 * heap-based {@code PriorityQueue} class), here between processes. Python's multiprocessing has only FIFO queues
 * (LIFO and priority exist for threads only); ipckit has all three across JVMs. A priority queue takes the
 * priority as a function of the element (lower first), where Python compares {@code (priority, item)} tuples.
 */
public final class LifoAndPriorityQueues
{
    private LifoAndPriorityQueues()
    {
    }

    static void fill(final String lifoName, final String priorityName) throws InterruptedException
    {
        try (LifoQueue<String> lifo = LifoQueue.open(lifoName, Codecs.STRING);
            SharedPriorityQueue<String> priq = SharedPriorityQueue.open(priorityName, Codecs.STRING, LifoAndPriorityQueues::priority))
        {
            for (final String item : new String[]{"first", "second", "third"})
            {
                lifo.put(item);
            }
            priq.put("3:low");
            priq.put("1:urgent");
            priq.put("2:normal");
        }
    }

    static long priority(final String item)
    {
        return Long.parseLong(item.substring(0, item.indexOf(':')));
    }

    /**
     * @param args none.
     * @throws InterruptedException when interrupted.
     */
    public static void main(final String[] args) throws InterruptedException
    {
        final String lifoName = ResourceName.random("lifo_");
        final String priorityName = ResourceName.random("priq_");
        try (LifoQueue<String> lifo = LifoQueue.create(lifoName, Codecs.STRING, new QueueOptions());
            SharedPriorityQueue<String> priq = SharedPriorityQueue.create(priorityName, Codecs.STRING,
                LifoAndPriorityQueues::priority, new QueueOptions()))
        {
            JvmProcess.start(Child.of(() -> fill(lifoName, priorityName))).join();
            System.out.println("LIFO: " + lifo.take() + ", " + lifo.take() + ", " + lifo.take()); // third, second, first
            System.out.println("priority: " + priq.take() + ", " + priq.take() + ", " + priq.take()); // 1, 2, 3
            lifo.unlink();
            priq.unlink();
        }
    }
}
