package io.ipckit.demos;

import io.ipckit.core.SharedDirectory;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.demos.frames.FrameReader;
import io.ipckit.demos.frames.FrameWriter;
import io.ipckit.demos.stream.Consumer;
import io.ipckit.demos.stream.Producer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * The main demo, run by {@code bin/demo}: starts a producer JVM and a consumer JVM that stream self-checking
 * messages through a shared-memory pipe, then a frame-writer JVM that renders a moving pattern into a shared 2-D
 * array at 60 frames/s and a frame-reader JVM that draws it, prints what happens and the measured figures, and
 * checks that nothing is left behind in the shared directory.
 */
@Command(name = "ipckit-demo", mixinStandardHelpOptions = true,
    description = "Producer and consumer JVMs over a shared-memory pipe, then two JVMs sharing a display matrix.")
public final class MainJob implements Callable<Integer>
{
    @Option(names = "--count", description = "Messages the producer sends (default: ${DEFAULT-VALUE}).")
    long count = 3_000_000;

    @Option(names = "--size", description = "Message size in bytes (default: ${DEFAULT-VALUE}).")
    int size = 64;

    @Option(names = "--frames", description = "Frames the frame writer renders at 60/s (default: ${DEFAULT-VALUE}).")
    int frames = 180;

    @Option(names = "--draw-every-ms", description = "How often the frame reader draws (default: ${DEFAULT-VALUE}).")
    long drawEveryMs = 500;

    /**
     * @param args picocli options, see {@code --help}.
     */
    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new MainJob()).execute(args));
    }

    /**
     * Runs both demos.
     *
     * @return 0 when both verified their data and left nothing behind.
     * @throws InterruptedException when interrupted.
     */
    @Override
    public Integer call() throws InterruptedException
    {
        final String suffix = Long.toString(ProcessHandle.current().pid());
        final String stream = "demo-stream-" + suffix;
        final String frameName = "demo-frames-" + suffix;
        System.out.println("ipckit demo: shared directory " + SharedDirectory.path());

        System.out.println("\n== 1. producer JVM -> consumer JVM through the shared-memory pipe \"" + stream + "\" ==");
        final boolean streamed = runPair(
            Consumer.class, new ProcessOptions().name("consumer").args("--name", stream, "--quiet").daemon(true),
            Producer.class, new ProcessOptions().name("producer")
                .args("--name", stream, "--count", Long.toString(count), "--size", Integer.toString(size)).daemon(true));

        System.out.println("\n== 2. frame-writer JVM renders a 10x72 display matrix at 60 frames/s, frame-reader JVM " +
            "draws it from shared memory ==");
        final boolean framed = runPair(
            FrameReader.class, new ProcessOptions().name("frame-reader")
                .args("--name", frameName, "--draw-every-ms", Long.toString(drawEveryMs)).daemon(true),
            FrameWriter.class, new ProcessOptions().name("frame-writer")
                .args("--name", frameName, "--frames", Integer.toString(frames), "--await-readers", "1")
                .daemon(true));

        final List<String> left = new ArrayList<>();
        for (final String name : List.of(stream, frameName, frameName + "-ctl"))
        {
            if (SharedDirectory.exists(name))
            {
                left.add(name);
                SharedDirectory.unlinkIfExists(name);
            }
        }
        System.out.println();
        System.out.println("ipckit demo: pipe " + (streamed ? "verified" : "FAILED") + ", frames " +
            (framed ? "verified" : "FAILED") + ", shared directory " + (left.isEmpty() ? "clean" : "had " + left));
        return streamed && framed && left.isEmpty() ? 0 : 1;
    }

    /**
     * Starts a child whose output lines are printed whole by this JVM, so two children never mix within a line.
     */
    private static JvmProcess relay(final Class<?> mainClass, final ProcessOptions options)
    {
        final JvmProcess child = JvmProcess.start(mainClass,
            options.redirectOutput(ProcessBuilder.Redirect.PIPE).redirectErrorStream(true));
        final Thread copier = new Thread(() ->
        {
            try (java.io.BufferedReader lines = child.process().inputReader())
            {
                String line;
                while ((line = lines.readLine()) != null)
                {
                    System.out.println(line);
                }
            }
            catch (final java.io.IOException ignore)
            {
                // the child is gone
            }
        }, "ipckit-demo-output-" + child.name());
        copier.setDaemon(true);
        copier.start();
        return child;
    }

    private static boolean runPair(final Class<?> first, final ProcessOptions firstOptions, final Class<?> second,
        final ProcessOptions secondOptions) throws InterruptedException
    {
        final long start = System.nanoTime();
        try (JvmProcess a = relay(first, firstOptions); JvmProcess b = relay(second, secondOptions))
        {
            final boolean bDone = b.join(120, TimeUnit.SECONDS);
            final boolean aDone = a.join(120, TimeUnit.SECONDS);
            final int aExit = aDone ? a.exitCode().orElse(-1) : -1;
            final int bExit = bDone ? b.exitCode().orElse(-1) : -1;
            System.out.printf("(%s exited %d, %s exited %d, %.2f s in all including JVM start)%n",
                a.name(), aExit, b.name(), bExit, (System.nanoTime() - start) / 1e9);
            return aExit == 0 && bExit == 0;
        }
    }
}
