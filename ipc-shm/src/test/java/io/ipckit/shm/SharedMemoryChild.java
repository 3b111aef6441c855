package io.ipckit.shm;

import java.util.concurrent.TimeUnit;

/**
 * Child JVM for {@link SharedMemoryTest}: {@code check-and-write <name> <offset> <expected> <offset> <value>} opens
 * a segment, exits 3 unless the long at the first offset is {@code expected}, then stores {@code value} at the second
 * offset with a release; {@code create-and-wait <name> <size>} creates a segment and waits to be killed;
 * {@code create-persistent-and-wait <name> <size>} creates a persistent one, stores 1 at offset 0 and waits;
 * {@code use-buffer-after-close <name>} writes through a kept buffer after close; {@code buffer-racing-close <name>
 * <rounds>} takes buffers on one thread while another closes the handle.
 */
public final class SharedMemoryChild
{
    private SharedMemoryChild()
    {
    }

    public static void main(final String[] args) throws InterruptedException
    {
        switch (args[0])
        {
            case "check-and-write" ->
            {
                try (SharedMemory shm = SharedMemory.open(args[1]))
                {
                    if (shm.buffer().getLongAcquire(Integer.parseInt(args[2])) != Long.parseLong(args[3]))
                    {
                        System.exit(3);
                    }
                    shm.buffer().putLongRelease(Integer.parseInt(args[4]), Long.parseLong(args[5]));
                }
            }
            case "create-and-wait" ->
            {
                SharedMemory.create(args[1], Long.parseLong(args[2]));
                Thread.sleep(TimeUnit.MINUTES.toMillis(2));
                System.exit(4);
            }
            case "create-persistent-and-wait" ->
            {
                final SharedMemory shm = SharedMemory.create(args[1], Long.parseLong(args[2]),
                    new ShmOptions().persistent(true));
                shm.buffer().putLongRelease(0, 1L); // created: the parent may kill this process now
                Thread.sleep(TimeUnit.MINUTES.toMillis(2));
                System.exit(4);
            }
            case "use-buffer-after-close" ->
            {
                final SharedMemory shm = SharedMemory.create(args[1], 4096);
                final org.agrona.concurrent.AtomicBuffer kept = shm.buffer();
                shm.unlink();
                shm.close();
                kept.putLongRelease(4088, 7L); // must reach retained pages, not unmapped memory
                System.out.println("read back " + kept.getLongAcquire(4088));
                try
                {
                    shm.buffer();
                    System.exit(5);
                }
                catch (final io.ipckit.core.exceptions.ResourceClosedException expected)
                {
                    System.out.println("refused: " + expected.getMessage());
                }
            }
            case "buffer-racing-close" ->
            {
                // one thread takes the buffer and reads through it while another closes the handle, many times
                try (SharedMemory creator = SharedMemory.create(args[1], 4096))
                {
                    for (int round = 0; round < Integer.parseInt(args[2]); round++)
                    {
                        final SharedMemory opened = SharedMemory.open(args[1]);
                        final Thread reader = new Thread(() ->
                        {
                            try
                            {
                                for (int i = 0; i < 50; i++)
                                {
                                    opened.buffer().getLongVolatile(0);
                                }
                            }
                            catch (final io.ipckit.core.exceptions.ResourceClosedException expected)
                            {
                                // closed before this read's buffer was taken
                            }
                        });
                        reader.start();
                        opened.close();
                        reader.join();
                    }
                    creator.unlink();
                }
                System.out.println("survived");
            }
            default -> System.exit(2);
        }
    }
}
