package io.ipckit.net;

import io.ipckit.core.SharedDirectory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Two network namespaces joined by a veth pair, for tests of JVMs on "hosts" of this machine: {@code a} holds
 * {@link #A_ADDRESS}, {@code b} holds {@link #B_ADDRESS}; {@link #createChain()} adds a third, {@code c} at
 * {@link #C_ADDRESS}, joined to {@code b} (at {@link #B_TO_C_ADDRESS}) by a second veth pair, so that a and c reach
 * each other only through a JVM in b. {@link #create()} returns namespaces whose {@link #refusal()} says why when
 * the machine does not allow it (not root, no {@code ip}); {@link #close()} kills the JVMs started in them and
 * deletes the namespaces (which deletes the veth pairs), whatever happened.
 */
final class NetNamespaces implements AutoCloseable
{
    /** The address of namespace a's end of the veth pair. */
    static final String A_ADDRESS = "10.231.77.1";
    /** The address of namespace b's end of the veth pair. */
    static final String B_ADDRESS = "10.231.77.2";
    /** The address of namespace b's end of the veth pair to c. */
    static final String B_TO_C_ADDRESS = "10.231.78.2";
    /** The address of namespace c's end of the veth pair to b. */
    static final String C_ADDRESS = "10.231.78.3";

    private final String id = UUID.randomUUID().toString().substring(0, 6);
    private final String nsA = "ipckit-a-" + id;
    private final String nsB = "ipckit-b-" + id;
    private final String vethA = "ipka" + id;
    private final String vethB = "ipkb" + id;
    private final String nsC = "ipckit-c-" + id;
    private final String vethBc = "ipkB" + id;
    private final String vethC = "ipkc" + id;
    private final List<Peer> peers = new ArrayList<>();
    private String refusal;

    private NetNamespaces()
    {
    }

    /**
     * @return the namespaces, set up; or ones whose {@link #refusal()} says why the machine refused.
     */
    static NetNamespaces create()
    {
        return create(false);
    }

    /**
     * @return three namespaces in a chain, a - b - c, set up; or ones whose {@link #refusal()} says why the machine
     *         refused.
     */
    static NetNamespaces createChain()
    {
        return create(true);
    }

    private static NetNamespaces create(final boolean chain)
    {
        final NetNamespaces namespaces = new NetNamespaces();
        try
        {
            namespaces.run("ip", "netns", "add", namespaces.nsA);
            namespaces.run("ip", "netns", "add", namespaces.nsB);
            namespaces.run("ip", "link", "add", namespaces.vethA, "type", "veth", "peer", "name", namespaces.vethB);
            namespaces.run("ip", "link", "set", namespaces.vethA, "netns", namespaces.nsA);
            namespaces.run("ip", "link", "set", namespaces.vethB, "netns", namespaces.nsB);
            namespaces.inA("ip", "addr", "add", A_ADDRESS + "/24", "dev", namespaces.vethA);
            namespaces.inB("ip", "addr", "add", B_ADDRESS + "/24", "dev", namespaces.vethB);
            namespaces.inA("ip", "link", "set", namespaces.vethA, "up");
            namespaces.inB("ip", "link", "set", namespaces.vethB, "up");
            namespaces.inA("ip", "link", "set", "lo", "up");
            namespaces.inB("ip", "link", "set", "lo", "up");
            if (chain)
            {
                namespaces.run("ip", "netns", "add", namespaces.nsC);
                namespaces.run("ip", "link", "add", namespaces.vethBc, "type", "veth", "peer", "name",
                    namespaces.vethC);
                namespaces.run("ip", "link", "set", namespaces.vethBc, "netns", namespaces.nsB);
                namespaces.run("ip", "link", "set", namespaces.vethC, "netns", namespaces.nsC);
                namespaces.inB("ip", "addr", "add", B_TO_C_ADDRESS + "/24", "dev", namespaces.vethBc);
                namespaces.run(prefixed(namespaces.nsC, "ip", "addr", "add", C_ADDRESS + "/24", "dev",
                    namespaces.vethC));
                namespaces.inB("ip", "link", "set", namespaces.vethBc, "up");
                namespaces.run(prefixed(namespaces.nsC, "ip", "link", "set", namespaces.vethC, "up"));
                namespaces.run(prefixed(namespaces.nsC, "ip", "link", "set", "lo", "up"));
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            namespaces.refusal = "network namespaces are not available here (" + ex.getMessage() + ")";
            namespaces.close();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            namespaces.refusal = "interrupted";
            namespaces.close();
        }
        return namespaces;
    }

    /**
     * @return why the machine refused the namespaces, or null when they are set up.
     */
    String refusal()
    {
        return refusal;
    }

    /**
     * Runs a command in namespace a.
     *
     * @param command the command.
     * @throws IOException          when it cannot run or fails.
     * @throws InterruptedException when interrupted.
     */
    void inA(final String... command) throws IOException, InterruptedException
    {
        run(prefixed(nsA, command));
    }

    /**
     * Runs a command in namespace b.
     *
     * @param command the command.
     * @throws IOException          when it cannot run or fails.
     * @throws InterruptedException when interrupted.
     */
    void inB(final String... command) throws IOException, InterruptedException
    {
        run(prefixed(nsB, command));
    }

    /**
     * Takes namespace b's end of the link down: the cable is cut.
     *
     * @throws IOException          when the command fails.
     * @throws InterruptedException when interrupted.
     */
    void cutLink() throws IOException, InterruptedException
    {
        inB("ip", "link", "set", vethB, "down");
    }

    /**
     * Starts {@link NetPeer} in namespace a.
     *
     * @param args its arguments.
     * @return the peer.
     * @throws IOException when it cannot start.
     */
    Peer startInA(final String... args) throws IOException
    {
        return start(nsA, args);
    }

    /**
     * Starts {@link NetPeer} in namespace b.
     *
     * @param args its arguments.
     * @return the peer.
     * @throws IOException when it cannot start.
     */
    Peer startInB(final String... args) throws IOException
    {
        return start(nsB, args);
    }

    /**
     * Starts {@link NetPeer} in namespace c (of a chain).
     *
     * @param args its arguments.
     * @return the peer.
     * @throws IOException when it cannot start.
     */
    Peer startInC(final String... args) throws IOException
    {
        return start(nsC, args);
    }

    /**
     * Starts a main class of the test class path in namespace a.
     *
     * @param main the class.
     * @param args its arguments.
     * @return the peer.
     * @throws IOException when it cannot start.
     */
    Peer startInA(final Class<?> main, final String... args) throws IOException
    {
        return start(nsA, main, args);
    }

    /**
     * Starts a main class of the test class path in namespace b.
     *
     * @param main the class.
     * @param args its arguments.
     * @return the peer.
     * @throws IOException when it cannot start.
     */
    Peer startInB(final Class<?> main, final String... args) throws IOException
    {
        return start(nsB, main, args);
    }

    private Peer start(final String ns, final String... args) throws IOException
    {
        return start(ns, NetPeer.class, args);
    }

    private Peer start(final String ns, final Class<?> main, final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>(List.of(
            "ip", "netns", "exec", ns,
            Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
            "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED",
            "-Xmx256m", "-XX:+UseSerialGC",
            "-D" + SharedDirectory.DIRECTORY_PROP_NAME + "=" + SharedDirectory.path(),
            "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final Peer peer = new Peer(ns, process);
        peers.add(peer);
        return peer;
    }

    private static String[] prefixed(final String ns, final String... command)
    {
        final String[] full = new String[command.length + 4];
        full[0] = "ip";
        full[1] = "netns";
        full[2] = "exec";
        full[3] = ns;
        System.arraycopy(command, 0, full, 4, command.length);
        return full;
    }

    private void run(final String... command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0)
        {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }

    /**
     * Kills every peer still alive and deletes both namespaces (and with them the veth pair).
     */
    @Override
    public void close()
    {
        for (final Peer peer : peers)
        {
            peer.process.destroyForcibly();
        }
        for (final Peer peer : peers)
        {
            try
            {
                peer.process.waitFor(10, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        for (final String[] command : List.of(
            new String[] {"ip", "netns", "del", nsA}, new String[] {"ip", "netns", "del", nsB},
            new String[] {"ip", "netns", "del", nsC}, new String[] {"ip", "link", "del", vethA},
            new String[] {"ip", "link", "del", vethBc}))
        {
            try
            {
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start().waitFor(10, TimeUnit.SECONDS);
            }
            catch (final IOException ex)
            {
                // nothing to delete: the machine refused to create it
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * A {@link NetPeer} JVM in a namespace, its output read line by line (and echoed to this JVM's stdout as
     * evidence).
     */
    static final class Peer
    {
        private final Process process;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        Peer(final String ns, final Process process)
        {
            this.process = process;
            final Thread reader = new Thread(() ->
            {
                try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
                {
                    String line;
                    while ((line = in.readLine()) != null)
                    {
                        System.out.println("[" + ns + "] " + line);
                        lines.add(line);
                    }
                }
                catch (final IOException ex)
                {
                    // the process is gone
                }
            }, "peer-output-" + ns);
            reader.setDaemon(true);
            reader.start();
        }

        /**
         * Waits for an output line starting with {@code prefix}.
         *
         * @param prefix  the prefix.
         * @param timeout the most to wait.
         * @param unit    its unit.
         * @return the line, or null when none came in time.
         * @throws InterruptedException when interrupted.
         */
        String awaitLine(final String prefix, final long timeout, final TimeUnit unit) throws InterruptedException
        {
            final long deadline = System.nanoTime() + unit.toNanos(timeout);
            for (long left = unit.toNanos(timeout); left > 0; left = deadline - System.nanoTime())
            {
                final String line = lines.poll(left, TimeUnit.NANOSECONDS);
                if (line != null && line.startsWith(prefix))
                {
                    return line;
                }
            }
            return null;
        }

        /**
         * Writes a line to the peer's standard input.
         *
         * @param line the line.
         * @throws IOException when the peer's input is closed.
         */
        void tell(final String line) throws IOException
        {
            process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().flush();
        }

        /**
         * Waits for the process to exit.
         *
         * @param timeout the most to wait.
         * @param unit    its unit.
         * @return its exit status, or -1 when it did not exit in time.
         * @throws InterruptedException when interrupted.
         */
        int awaitExit(final long timeout, final TimeUnit unit) throws InterruptedException
        {
            return process.waitFor(timeout, unit) ? process.exitValue() : -1;
        }
    }
}
