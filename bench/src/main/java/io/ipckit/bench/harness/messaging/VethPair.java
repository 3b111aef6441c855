package io.ipckit.bench.harness.messaging;

import io.ipckit.core.exceptions.IpcException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Two network namespaces joined by a veth pair, made for one measurement and deleted after it: two "hosts" on this
 * machine, so that a network transport's messages cross a real link (a veth pair, its queues and the kernel's IP
 * stack on both sides) rather than loopback. The initiating workers (ping, producer) run in namespace a at
 * {@link #INITIATOR_ADDRESS}, the responding ones (pong, consumer) in namespace b at {@link #RESPONDER_ADDRESS}:
 * their JVMs start through {@code ip netns exec} ({@link #launcher}). Channel 0 is received in b and channel 1 in
 * a ({@link #receiverAddress}).
 * <p>
 * Needs root (or CAP_SYS_ADMIN and CAP_NET_ADMIN) and iproute2; {@link #refusal()} says why not where that is
 * missing. Not thread-safe; process-safe as the namespaces' names are random.
 */
public final class VethPair implements AutoCloseable
{
    /** The address of namespace a (ping, producer). */
    public static final String INITIATOR_ADDRESS = "10.233.79.1";
    /** The address of namespace b (pong, consumer). */
    public static final String RESPONDER_ADDRESS = "10.233.79.2";
    private static final long COMMAND_TIMEOUT_S = 10;
    private static String refusal;
    private static boolean probed;

    private final String id = UUID.randomUUID().toString().substring(0, 6);
    private final String nsA = "ipkbench-a-" + id;
    private final String nsB = "ipkbench-b-" + id;
    private final String vethA = "ipkba" + id;
    private final String vethB = "ipkbb" + id;

    private VethPair()
    {
    }

    /**
     * Creates the namespaces, the veth pair between them, and brings both ends (and each loopback) up.
     *
     * @return the pair.
     * @throws IpcException when the machine refuses (not root, no {@code ip}); nothing is left behind.
     */
    public static VethPair create()
    {
        final VethPair pair = new VethPair();
        try
        {
            run("ip", "netns", "add", pair.nsA);
            run("ip", "netns", "add", pair.nsB);
            run("ip", "link", "add", pair.vethA, "type", "veth", "peer", "name", pair.vethB);
            run("ip", "link", "set", pair.vethA, "netns", pair.nsA);
            run("ip", "link", "set", pair.vethB, "netns", pair.nsB);
            run("ip", "netns", "exec", pair.nsA, "ip", "addr", "add", INITIATOR_ADDRESS + "/24", "dev", pair.vethA);
            run("ip", "netns", "exec", pair.nsB, "ip", "addr", "add", RESPONDER_ADDRESS + "/24", "dev", pair.vethB);
            for (final String[] ends : new String[][] {{pair.nsA, pair.vethA}, {pair.nsB, pair.vethB}})
            {
                run("ip", "netns", "exec", ends[0], "ip", "link", "set", ends[1], "up");
                run("ip", "netns", "exec", ends[0], "ip", "link", "set", "lo", "up");
            }
            return pair;
        }
        catch (final IOException | RuntimeException ex)
        {
            pair.close();
            throw new IpcException("cannot create two network namespaces joined by a veth pair (run the bench as " +
                "root on Linux, with iproute2's ip): " + ex.getMessage(), ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            pair.close();
            throw new IpcException("interrupted while creating network namespaces", ex);
        }
    }

    /**
     * Creates and deletes a pair once per process to learn whether this machine allows them.
     *
     * @return null when it does, else why not.
     */
    public static synchronized String refusal()
    {
        if (!probed)
        {
            probed = true;
            try
            {
                create().close();
            }
            catch (final IpcException ex)
            {
                refusal = ex.getMessage();
            }
        }
        return refusal;
    }

    /**
     * @param channel a channel number.
     * @return the address its receiver listens on: channel 0 in namespace b, channel 1 in namespace a.
     */
    public static String receiverAddress(final int channel)
    {
        return channel == 0 ? RESPONDER_ADDRESS : INITIATOR_ADDRESS;
    }

    /**
     * @param role a worker's role.
     * @return {@code ip netns exec <namespace>}: a for ping and producer, b for pong and consumer.
     */
    public List<String> launcher(final String role)
    {
        final boolean initiator = role.equals("ping") || role.equals("producer");
        return List.of("ip", "netns", "exec", initiator ? nsA : nsB);
    }

    /**
     * @param inner a fixture made for this pair.
     * @return a fixture with {@code inner}'s spec that starts workers in the namespaces and, when closed, closes
     *         {@code inner} and then this pair.
     */
    public Fixture around(final Fixture inner)
    {
        return new Fixture()
        {
            @Override
            public String spec()
            {
                return inner.spec();
            }

            @Override
            public List<String> launcher(final String role)
            {
                return VethPair.this.launcher(role);
            }

            @Override
            public void close()
            {
                try
                {
                    inner.close();
                }
                finally
                {
                    VethPair.this.close();
                }
            }
        };
    }

    /**
     * Deletes both namespaces, and with them the veth pair; quietly, whatever was made.
     */
    @Override
    public void close()
    {
        for (final String ns : List.of(nsA, nsB))
        {
            try
            {
                run("ip", "netns", "del", ns);
            }
            catch (final IOException ex)
            {
                // not made: the machine refused it
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void run(final String... command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!process.waitFor(COMMAND_TIMEOUT_S, TimeUnit.SECONDS) || process.exitValue() != 0)
        {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }
}
