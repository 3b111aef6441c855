package io.ipckit.net;

import io.ipckit.manager.Manager;
import io.ipckit.manager.ManagerGoneException;
import io.ipckit.manager.ManagerOptions;
import io.ipckit.manager.ManagerServer;
import io.ipckit.net.manager.AeronAddress;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;

/**
 * The other JVMs of {@link ManagerOverAeronTest}. {@code ManagerAeronPeer <mode> <endpoint> [journal]}; exits 0
 * when its checks passed, 1 when one failed.
 * <ul>
 *     <li>{@code serve}: serves a manager on the endpoint (durable, journaled in the directory {@code journal} when
 *     it is given) and waits until it is killed.</li>
 *     <li>{@code lock}: connects, takes the lock named {@code "lock"}, puts its pid under {@code "locked"} in the
 *     dict named {@code "dict"} and a string into the queue named {@code "queue"}, then waits until killed.</li>
 *     <li>{@code use}: connects, puts and reads back 100 entries of {@code "dict"}, takes from {@code "queue"} (the
 *     locker's string) and puts what it took under {@code "took"}.</li>
 *     <li>{@code use-until-gone}: connects, makes a dict and a lock, checks 50 entries put and read back under the
 *     lock, takes the lock again and prints {@code READY}; then reads the dict every 10 ms until a call fails:
 *     prints {@code GONE} and exits {@link #EXIT_MANAGER_GONE} on {@link ManagerGoneException}.</li>
 * </ul>
 */
public final class ManagerAeronPeer
{
    /** The authkey of every manager of these tests. */
    static final byte[] KEY = "aeron manager key".getBytes(StandardCharsets.UTF_8);
    /** The liveness timeout of the managers and clients of these tests, in milliseconds. */
    static final long LIVENESS_MS = 400;
    /** Exit status of {@code use-until-gone} when a call failed with {@link ManagerGoneException}. */
    static final int EXIT_MANAGER_GONE = 3;

    private ManagerAeronPeer()
    {
    }

    /**
     * @param endpoint the manager's {@code host:port}.
     * @return its address with the tests' options: a short liveness timeout.
     */
    static AeronAddress address(final String endpoint)
    {
        return AeronAddress.of(endpoint, NetTesting.options().livenessTimeout(LIVENESS_MS, TimeUnit.MILLISECONDS));
    }

    /**
     * @param args mode and endpoint.
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception
    {
        final AeronAddress address = address(args[1]);
        int status = 0;
        try
        {
            switch (args[0])
            {
                case "serve" ->
                {
                    final ManagerOptions options = new ManagerOptions();
                    if (args.length > 2)
                    {
                        options.durable(java.nio.file.Path.of(args[2]));
                    }
                    final ManagerServer server = Manager.serve(address, KEY, options);
                    System.out.println("SERVING");
                    server.awaitShutdown(10, TimeUnit.MINUTES);
                }
                case "lock" ->
                {
                    final Manager manager = Manager.connect(address, KEY);
                    final Lock lock = manager.lookup("lock", Lock.class);
                    final ConcurrentMap<String, Object> dict = manager.lookup("dict", ConcurrentMap.class);
                    final BlockingQueue<String> queue = manager.lookup("queue", BlockingQueue.class);
                    lock.lock();
                    dict.put("locked", ProcessHandle.current().pid());
                    queue.put("from the locker");
                    Thread.sleep(TimeUnit.MINUTES.toMillis(10)); // holds the lock until killed
                }
                case "use" ->
                {
                    try (Manager manager = Manager.connect(address, KEY))
                    {
                        final ConcurrentMap<String, Object> dict = manager.lookup("dict", ConcurrentMap.class);
                        final BlockingQueue<String> queue = manager.lookup("queue", BlockingQueue.class);
                        for (int i = 0; i < 100; i++)
                        {
                            dict.put("use-" + i, i);
                            if (!Integer.valueOf(i).equals(dict.get("use-" + i)))
                            {
                                throw new AssertionError("use-" + i + " read back as " + dict.get("use-" + i));
                            }
                        }
                        dict.put("took", queue.take());
                    }
                }
                case "use-until-gone" -> status = useUntilGone(address);
                default -> throw new IllegalArgumentException("unknown mode " + args[0]);
            }
        }
        catch (final Throwable ex)
        {
            System.out.println("FAILED " + ex);
            ex.printStackTrace(System.out);
            status = 1;
        }
        System.exit(status);
    }

    private static int useUntilGone(final AeronAddress address) throws InterruptedException
    {
        final Manager manager = Manager.connect(address, KEY);
        final ConcurrentMap<String, Object> dict = manager.dict();
        final Lock lock = manager.lock();
        lock.lock();
        for (int i = 0; i < 50; i++)
        {
            dict.put("k" + i, i);
            if (!Integer.valueOf(i).equals(dict.get("k" + i)))
            {
                throw new AssertionError("k" + i + " read back as " + dict.get("k" + i));
            }
        }
        lock.unlock();
        if (!lock.tryLock())
        {
            throw new AssertionError("the lock was not free again");
        }
        System.out.println("READY");
        while (true)
        {
            try
            {
                dict.get("k0");
            }
            catch (final ManagerGoneException ex)
            {
                System.out.println("GONE " + ex.getMessage());
                return EXIT_MANAGER_GONE;
            }
            Thread.sleep(10);
        }
    }
}
