package io.ipckit.demos.cookbook;

import io.ipckit.core.ResourceName;
import io.ipckit.core.codec.Codecs;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.queue.QueueOptions;
import io.ipckit.queue.SharedQueue;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Python: {@code producer(queue)} and {@code consumer(queue)} in two {@code Process}es over one
 * {@code multiprocessing.Queue}, the producer putting random work and {@code "stop"} when its magic number comes.
 * The queue is passed to the children by name (JVMs share no objects): each child opens it.
 */
public final class QueueProducerConsumer
{
    private QueueProducerConsumer()
    {
    }

    static void producer(final String queueName) throws InterruptedException
    {
        try (SharedQueue<String> queue = SharedQueue.open(queueName, Codecs.STRING))
        {
            System.out.println("Producer producing!");
            final ThreadLocalRandom random = ThreadLocalRandom.current();
            for (int i = 0; i < 20; i++)
            {
                final int work = random.nextInt(0, 6);
                System.out.println("Putting work=" + work + " in queue");
                queue.put(Integer.toString(work));
                if (random.nextInt(0, 6) == 4)
                {
                    System.out.println("Magic number 8, gotta go!");
                    break;
                }
            }
            queue.put("stop");
        }
    }

    static void consumer(final String queueName) throws InterruptedException
    {
        try (SharedQueue<String> queue = SharedQueue.open(queueName, Codecs.STRING))
        {
            System.out.println("Consumer consuming!");
            while (true)
            {
                final String work = queue.take();
                if (work.equals("stop"))
                {
                    System.out.println("All done");
                    return;
                }
                System.out.println("Handling work=" + work + " " + ".".repeat(Integer.parseInt(work)));
            }
        }
    }

    /**
     * @param args none.
     * @throws InterruptedException when interrupted.
     */
    public static void main(final String[] args) throws InterruptedException
    {
        final String name = ResourceName.random("work_");
        try (SharedQueue<String> queue = SharedQueue.create(name, Codecs.STRING, new QueueOptions()))
        {
            final long t = System.nanoTime();
            final JvmProcess producer = JvmProcess.start(Child.of(() -> producer(name)));
            final JvmProcess consumer = JvmProcess.start(Child.of(() -> consumer(name)));
            System.out.printf("Startup time: %.3f%n", (System.nanoTime() - t) / 1e9);
            producer.join();
            consumer.join();
            queue.unlink();
        }
    }
}
