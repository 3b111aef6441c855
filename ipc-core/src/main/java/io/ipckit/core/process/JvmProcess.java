package io.ipckit.core.process;

import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.internal.kit.Waiter;
import io.ipckit.core.internal.process.AotCache;
import io.ipckit.core.internal.process.ChildMain;
import io.ipckit.core.internal.process.JvmFlags;
import io.ipckit.core.internal.process.LambdaTarget;
import io.ipckit.core.tracker.ResourceTracker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Python's {@code multiprocessing.Process} for the JVM: a child JVM with this JVM's class path, {@code java} (the
 * JDK 25 the build chose) and shared directory, the JVM flags ipckit needs and the module flags this JVM was started
 * with, running a class's {@code main} or a {@link SerializableRunnable}. {@link ProcessOptions} configure it.
 * <pre>{@code
 * try (JvmProcess child = JvmProcess.start(Consumer.class, new ProcessOptions().args("prices").daemon(true))) {
 *     child.join(10, TimeUnit.SECONDS);
 *     System.out.println(child.exitCode());   // OptionalInt[0]
 * }
 * }</pre>
 * Exit codes follow Python: the child's status, or the negative signal number when a signal ended it
 * ({@link #kill()} gives -9, {@link #terminate()} -15). A JVM reports death by signal N as status 128+N, so an
 * explicit {@code System.exit(137)} also reads as -9.
 * <p>
 * A <em>daemon</em> child dies with its parent however the parent ends, SIGKILL included: a watchdog thread in the
 * child checks the parent's identity every 50 ms and, when the parent is gone, exits (running its shutdown hooks,
 * halting after 500 ms at most). A normal exit of the parent also terminates its daemon children, then waits for the
 * AOT cache a child that has exited trained to be published (once per program, class path and main class: the
 * first run's exit took about 1.5 s longer here, at most 30 s, and the later runs start their children from it).
 * When a child exits, what it created and did not unlink is removed by the {@link ResourceTracker}.
 * <p>
 * A {@link SerializableRunnable} target, and what it captures, never appears on the child's command line (which
 * every user of the machine can read in {@code /proc}): it is written to a file only this user can read
 * ({@code 0600}), in the shared directory under the {@link ResourceTracker}'s name for a file this process is making,
 * and the command line holds its path. The child deletes it once read; this JVM deletes it when the child exits,
 * whether or not it read it, and a {@link ResourceTracker#sweep()} removes it once this JVM is dead. So the child
 * must run as the same user (a {@link ProcessOptions#launcher} that changes the user cannot read it).
 * <p>
 * Thread-safe.
 */
public final class JvmProcess implements AutoCloseable
{
    /** Signal number of SIGKILL. */
    public static final int SIGKILL = 9;
    /** Signal number of SIGTERM. */
    public static final int SIGTERM = 15;

    private static final Set<JvmProcess> LIVE_DAEMONS = ConcurrentHashMap.newKeySet();
    /** Children that train an AOT cache, until their exit has published it (see {@link #terminateDaemons()}). */
    private static final Set<JvmProcess> TRAINING = ConcurrentHashMap.newKeySet();
    /** The longest a normal exit of this JVM waits for the AOT caches its exited children trained. */
    private static final long PUBLISH_AT_EXIT_TIMEOUT_S = 30;

    static
    {
        Runtime.getRuntime().addShutdownHook(new Thread(JvmProcess::terminateDaemons, "ipckit-daemon-reaper"));
    }

    private final String name;
    private final Process process;
    private final ProcessIdentity identity;
    private final boolean daemon;
    private final CompletableFuture<JvmProcess> exit;

    private JvmProcess(final String name, final Process process, final boolean daemon, final Path sharedDirectory,
        final AotCache.Plan aotPlan, final Path targetFile)
    {
        this.name = name;
        this.process = process;
        this.daemon = daemon;
        this.identity = ProcessIdentity.of(process.pid()).orElse(new ProcessIdentity(process.pid(), 0));
        if (daemon)
        {
            LIVE_DAEMONS.add(this);
        }
        this.exit = process.onExit().thenApply(
            (p) ->
            {
                LIVE_DAEMONS.remove(this);
                deleteQuietly(targetFile); // gone already unless the child died before it read it
                ResourceTracker.reap(identity, sharedDirectory);
                aotPlan.publish();
                return this;
            });
        if (aotPlan.trains())
        {
            TRAINING.add(this);
            exit.whenComplete((child, failure) -> TRAINING.remove(this)); // at once when it has exited already
        }
    }

    /**
     * Starts a child running {@code mainClass}. The child exits 0 when {@code main} has returned and the non-daemon
     * threads it started have ended, as {@code java} would run it, and 1 at once when {@code main} throws.
     *
     * @param mainClass a class with a {@code main} method that {@code java} 25 launches: {@code static void
     *                  main(String[])}, or (JEP 512) {@code main()}, or an instance {@code main} of a class with a
     *                  no-argument constructor; on the child's class path.
     * @param options   the child's arguments, JVM options, daemon flag, output, ...; read now, so they may be changed
     *                  or reused afterwards.
     * @return the running child.
     * @throws IllegalArgumentException when {@code mainClass} has no main method that {@code java} would launch.
     * @throws IpcException             when the JVM cannot be started.
     */
    public static JvmProcess start(final Class<?> mainClass, final ProcessOptions options)
    {
        if (ChildMain.mainMethod(mainClass) == null)
        {
            throw new IllegalArgumentException("cannot start " + ChildMain.notLaunchable(mainClass));
        }
        return launch(mainClass.getName(), null, options);
    }

    /**
     * Starts a child running {@code target}: the child exits 0 when it has returned and the non-daemon threads it
     * started have ended (as a plain {@code java} run, and Python's {@code Process}), and 1 at once when it throws
     * (after printing the stack trace).
     *
     * @param target  a serializable lambda or object; a lambda must be cast to {@link SerializableRunnable} and
     *                capture only serializable values.
     * @param options the child's JVM options, daemon flag, output, ... (its {@link ProcessOptions#args() args} are
     *                ignored: the target captures what it needs).
     * @return the running child.
     * @throws IpcException when the target cannot be serialized or the JVM cannot be started.
     */
    public static JvmProcess start(final SerializableRunnable target, final ProcessOptions options)
    {
        return launch(null, target, options);
    }

    /**
     * Starts a non-daemon child running {@code target}, with output inherited, as Python's
     * {@code Process(target=f).start()}.
     *
     * @param target a serializable lambda or object, as for {@link #start(SerializableRunnable, ProcessOptions)}.
     * @return the running child.
     * @throws IpcException when the target cannot be serialized or the JVM cannot be started.
     */
    public static JvmProcess start(final SerializableRunnable target)
    {
        return launch(null, target, new ProcessOptions());
    }

    /**
     * Starts a non-daemon child running {@code mainClass} with output inherited.
     *
     * @param mainClass the class to run, as for {@link #start(Class, ProcessOptions)}.
     * @param args      its arguments.
     * @return the running child.
     * @throws IllegalArgumentException when {@code mainClass} has no main method that {@code java} would launch.
     * @throws IpcException             when the JVM cannot be started.
     */
    public static JvmProcess start(final Class<?> mainClass, final String... args)
    {
        return start(mainClass, new ProcessOptions().args(args));
    }

    /**
     * @return the name given in the options, or the target's name.
     */
    public String name()
    {
        return name;
    }

    /**
     * @return the child's pid.
     */
    public long pid()
    {
        return process.pid();
    }

    /**
     * @return the child's identity (pid and start time).
     */
    public ProcessIdentity identity()
    {
        return identity;
    }

    /**
     * @return true when this child dies with its parent.
     */
    public boolean isDaemon()
    {
        return daemon;
    }

    /**
     * @return true while the child runs.
     */
    public boolean isAlive()
    {
        return process.isAlive();
    }

    /**
     * @return the underlying {@link Process}, for its streams when output was piped.
     */
    public Process process()
    {
        return process;
    }

    /**
     * Waits for the child to exit and its resources to be reaped.
     *
     * @return the exit code as {@link #exitCode()} gives it.
     * @throws InterruptedException when interrupted while waiting.
     */
    public int join() throws InterruptedException
    {
        try
        {
            exit.get();
        }
        catch (final ExecutionException ex)
        {
            throw new IpcException("waiting for " + this + " failed", ex.getCause());
        }
        return exitCode().orElseThrow();
    }

    /**
     * Waits at most {@code timeout} for the child to exit.
     *
     * @param timeout the most to wait.
     * @param unit    its unit.
     * @return true when the child has exited, false when the timeout passed.
     * @throws InterruptedException when interrupted while waiting.
     */
    public boolean join(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        try
        {
            exit.get(timeout, unit);
            return true;
        }
        catch (final TimeoutException ex)
        {
            return false;
        }
        catch (final ExecutionException ex)
        {
            throw new IpcException("waiting for " + this + " failed", ex.getCause());
        }
    }

    /**
     * @return a future completed when the child has exited and its resources have been reaped.
     */
    public CompletableFuture<JvmProcess> onExit()
    {
        return exit;
    }

    /**
     * The exit code, as Python's {@code Process.exitcode}: empty while running, the status when the child exited,
     * {@code -N} when signal N ended it.
     *
     * @return the exit code, or empty while running.
     */
    public OptionalInt exitCode()
    {
        if (process.isAlive())
        {
            return OptionalInt.empty();
        }
        final int status = process.exitValue();
        return OptionalInt.of(status > 128 && status <= 128 + 64 ? -(status - 128) : status);
    }

    /**
     * Sends SIGTERM: the child's shutdown hooks run (it unlinks what it created), as Python's {@code terminate()}.
     */
    public void terminate()
    {
        process.destroy();
    }

    /**
     * Sends SIGKILL: the child ends at once, as Python's {@code kill()}; the parent's tracker then removes what it
     * created.
     */
    public void kill()
    {
        process.destroyForcibly();
    }

    /**
     * Kills the child if it still runs and waits (up to 10 s) for it to be reaped. Idempotent.
     */
    @Override
    public void close()
    {
        if (process.isAlive())
        {
            kill();
        }
        try
        {
            exit.get(10, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            // the kill was sent; nothing else can be done here
        }
    }

    /**
     * @return name, pid and state, like Python's repr of a Process.
     */
    @Override
    public String toString()
    {
        final OptionalInt code = exitCode();
        return "JvmProcess{" + name + ", pid " + pid() + (daemon ? ", daemon" : "") +
            (code.isPresent() ? ", exitCode " + code.getAsInt() : ", running") + "}";
    }

    private static void terminateDaemons()
    {
        for (final JvmProcess child : LIVE_DAEMONS)
        {
            child.process.destroy();
        }
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        for (final JvmProcess child : LIVE_DAEMONS)
        {
            try
            {
                final long remainingNs = deadlineNs - System.nanoTime();
                if (remainingNs <= 0 || !child.process.waitFor(remainingNs, TimeUnit.NANOSECONDS))
                {
                    child.process.destroyForcibly();
                }
            }
            catch (final InterruptedException ex)
            {
                child.process.destroyForcibly();
            }
        }
        awaitTrainedCaches();
    }

    /**
     * At this JVM's exit through its shutdown hooks (a return from {@code main}, {@code System.exit}, SIGINT or
     * SIGTERM), waits (at most {@value #PUBLISH_AT_EXIT_TIMEOUT_S} s in all) until the children that trained an AOT
     * cache and have exited, the daemons just terminated or killed among them, have published it or cleaned up after
     * it: the cache is assembled as its training child exits, in a JVM of its own (1.5 s more for the exit here), and a
     * JVM that exits first loses it and leaves its training lock behind. A program that starts a manager or a pool and
     * exits would then train again on every run, and every such start would stay as slow as without a cache. A
     * non-daemon child still running is not waited for.
     */
    private static void awaitTrainedCaches()
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(PUBLISH_AT_EXIT_TIMEOUT_S);
        for (final JvmProcess child : TRAINING)
        {
            if (!child.daemon && child.process.isAlive())
            {
                continue; // runs on after this JVM; a daemon here was terminated or killed, its exit comes at once
            }
            try
            {
                child.exit.get(Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
            catch (final java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException ex)
            {
                // no cache this time: the next run trains again
            }
            catch (final InterruptedException ex)
            {
                return;
            }
        }
    }

    private static JvmProcess launch(final String mainClass, final SerializableRunnable target,
        final ProcessOptions options)
    {
        final String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        final String classPath = options.classPath();
        final List<String> jvmOptions = options.jvmOptions();
        final boolean daemon = options.daemon();
        final AotCache.Plan aotPlan;
        if (options.aotCache())
        {
            final List<String> cacheOptions = new ArrayList<>(JvmFlags.moduleFlags());
            cacheOptions.addAll(jvmOptions);
            aotPlan = AotCache.plan(java, classPath, cacheOptions, mainClass != null ? mainClass : cacheName(target));
        }
        else
        {
            aotPlan = AotCache.Plan.NONE;
        }

        final List<String> command = new ArrayList<>();
        final long startDelayUs = options.startDelay(TimeUnit.MICROSECONDS);
        if (startDelayUs > 0)
        {
            command.addAll(List.of("/bin/sh", "-c", String.format(Locale.ROOT, "sleep %d.%06d; exec \"$@\"",
                startDelayUs / 1_000_000, startDelayUs % 1_000_000), "ipckit-start-delay"));
        }
        command.addAll(options.launcher());
        command.add(java);
        command.addAll(JvmFlags.forChild());
        command.addAll(jvmOptions);
        command.addAll(aotPlan.options());
        command.add("-D" + ChildMain.PARENT_PROP_NAME + "=" + ProcessIdentity.current());
        command.add("-D" + ChildMain.DAEMON_PROP_NAME + "=" + daemon);
        command.add("-cp");
        command.add(classPath);
        command.add(ChildMain.class.getName());
        final Path sharedDirectory = io.ipckit.core.SharedDirectory.path();
        final Path targetFile;
        if (mainClass != null)
        {
            targetFile = null;
            command.add(ChildMain.MODE_CLASS);
            command.add(mainClass);
            command.addAll(options.args());
        }
        else
        {
            targetFile = writeTarget(target, sharedDirectory, aotPlan);
            command.add(ChildMain.MODE_RUNNABLE);
            command.add(ChildMain.FILE_PREFIX + targetFile);
        }

        final ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(options.environment());
        builder.redirectOutput(options.redirectOutput());
        builder.redirectError(options.redirectError());
        builder.redirectErrorStream(options.redirectErrorStream());
        builder.redirectInput(options.redirectInput());
        final String displayName = options.name() != null ? options.name() : mainClass != null ?
            mainClass.substring(mainClass.lastIndexOf('.') + 1) : target.getClass().getSimpleName();
        try
        {
            Waiter.expectStartingPeer();
            return new JvmProcess(displayName, builder.start(), daemon, sharedDirectory, aotPlan, targetFile);
        }
        catch (final IOException ex)
        {
            deleteQuietly(targetFile);
            aotPlan.publish();
            throw new IpcException("cannot start a JVM for " + displayName + " with " + java + ": " + ex, ex);
        }
    }

    /**
     * @return the class a target's cache is named after: a lambda's capturing class (a lambda's own class is hidden,
     * its name changes from run to run).
     */
    private static String cacheName(final SerializableRunnable target)
    {
        return ChildMain.MODE_RUNNABLE + ":" + AotCache.definingClassName(target.getClass());
    }

    /**
     * Writes the target to a new file only this user can read, named as a file this process is making so that a
     * sweep removes it once this process is dead: its captured values are never on the child's command line.
     *
     * @return the file.
     * @throws IpcException when the target cannot be serialized or the file cannot be written.
     */
    private static Path writeTarget(final SerializableRunnable target, final Path dir, final AotCache.Plan aotPlan)
    {
        final byte[] bytes = encode(target, aotPlan);
        final Path file = ResourceTracker.creatingPath(dir);
        try (SeekableByteChannel channel = Files.newByteChannel(file,
            EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))))
        {
            final ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining())
            {
                channel.write(buffer);
            }
            return file;
        }
        catch (final IOException | UnsupportedOperationException ex)
        {
            deleteQuietly(file);
            aotPlan.publish();
            throw new IpcException("cannot write the target of a child JVM to " + file + ": " + ex + "; check " +
                "that the shared directory " + dir + " is writable and has room (-D" +
                io.ipckit.core.SharedDirectory.DIRECTORY_PROP_NAME + ")", ex);
        }
    }

    /**
     * @return the target as the child reads it: a lambda's compact form ({@link LambdaTarget#PREFIX}, text), else
     * its Java serialization.
     */
    private static byte[] encode(final SerializableRunnable target, final AotCache.Plan aotPlan)
    {
        final String lambda = LambdaTarget.encode(target);
        if (lambda != null)
        {
            return lambda.getBytes(StandardCharsets.UTF_8); // no ObjectInputStream in the child: a third of its start
        }
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes))
        {
            out.writeObject(target);
        }
        catch (final IOException ex)
        {
            aotPlan.publish();
            throw new IpcException("cannot send the target " + target + " to a child JVM: " + ex +
                "; a lambda target must be cast to SerializableRunnable and capture only serializable values", ex);
        }
        return bytes.toByteArray();
    }

    private static void deleteQuietly(final Path file)
    {
        if (file != null)
        {
            try
            {
                Files.deleteIfExists(file);
            }
            catch (final IOException ignore)
            {
                // a sweep removes it once this process is dead
            }
        }
    }
}
