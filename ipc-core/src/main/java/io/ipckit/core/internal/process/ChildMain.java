package io.ipckit.core.internal.process;

import io.ipckit.core.internal.kit.OwnerToken;
import io.ipckit.core.internal.kit.PeerWatch;
import io.ipckit.core.internal.wait.NativeBinding;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessIdentity;
import io.ipckit.core.process.SerializableRunnable;
import org.agrona.BufferUtil;

import java.io.ByteArrayInputStream;
import java.io.ObjectInputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The entry point of every child JVM that {@link JvmProcess} starts. It checks that the parent is still the
 * process that started it, starts the parent watchdog for daemon children, then runs the target: a class's
 * {@code main} or a deserialized {@link SerializableRunnable}. When the target returns, the JVM ends as after a plain
 * {@code java} run: with status 0 once the non-daemon threads the target started have ended (every thread this class
 * starts is a daemon). When it throws, the JVM exits 1 at once; a target may also call {@link System#exit(int)}
 * itself.
 * <p>
 * Not for direct use.
 */
public final class ChildMain
{
    /** System property: the parent's identity, {@code pid@startTime}. */
    public static final String PARENT_PROP_NAME = "ipckit.child.parent";
    /** System property: true when this child must die with its parent. */
    public static final String DAEMON_PROP_NAME = "ipckit.child.daemon";
    public static final String MODE_CLASS = "class";
    public static final String MODE_RUNNABLE = "runnable";
    public static final String FILE_PREFIX = "file:";

    private static final long HALT_AFTER_MS = 500;
    private static final long WATCHDOG_PERIOD_MS = 50;
    private static final long WATCHED_PERIOD_MS = 1_000;

    private ChildMain()
    {
    }

    /**
     * @param args mode ({@code class} or {@code runnable}), the class name or encoded target, then the target's
     *             arguments.
     * @throws Throwable when the target fails to load.
     */
    public static void main(final String[] args) throws Throwable
    {
        final Thread warmUp = new Thread(ChildMain::warmUp, "ipckit-child-warm-up");
        warmUp.setDaemon(true);
        warmUp.start();
        final String parent = System.getProperty(PARENT_PROP_NAME);
        if (Boolean.getBoolean(DAEMON_PROP_NAME) && parent != null)
        {
            startWatchdog(ProcessIdentity.parse(parent));
        }
        if (args.length < 2)
        {
            System.err.println("ipckit ChildMain: expected <class|runnable> <target> [args...]");
            System.exit(2);
        }
        final String[] targetArgs = Arrays.copyOfRange(args, 2, args.length);
        AotCache.preloadLearnedClasses(); // only in a child that trains a cache, before its run: it may be short
        try
        {
            if (MODE_CLASS.equals(args[0]))
            {
                runMain(args[1], targetArgs);
            }
            else
            {
                decode(args[1]).run();
            }
        }
        catch (final Throwable t)
        {
            t.printStackTrace();
            System.out.flush();
            System.exit(1);
        }
        System.out.flush();
        // no exit here: the JVM ends, with status 0, once the target's non-daemon threads have, as plain java does
        // (every thread this class starts is a daemon)
    }

    /**
     * Initialises Agrona's {@link BufferUtil} beside the main thread: its class initialiser links an invokedynamic
     * call site whose method handles the JDK generates at run time (the AOT cache does not keep them), 5 to 15 ms of a
     * starting JVM that the first pipe or queue a child opens would otherwise wait for. The main thread, arriving
     * there meanwhile, waits only for what is left of it.
     */
    private static void warmUp()
    {
        if (BufferUtil.ARRAY_BASE_OFFSET < 0)
        {
            throw new IllegalStateException("Agrona reports a negative array base offset");
        }
    }

    /**
     * Calls {@code main} through a method handle: {@link Method#invoke} would generate its accessor's lambda forms,
     * some 5 to 25 ms of a starting JVM (more while other JVMs start beside it), where the handle's
     * {@code (String[])void} shape comes ready from the JDK's archive. The other launchable forms of Java 25
     * (JEP 512: {@code main()}, and instance methods on a new instance) are called as {@code java} calls them.
     */
    private static void runMain(final String className, final String[] args) throws Throwable
    {
        final Class<?> type = Class.forName(className);
        final Method main = mainMethod(type);
        if (main == null)
        {
            throw new NoSuchMethodException(notLaunchable(type));
        }
        main.setAccessible(true);
        final MethodHandle handle = MethodHandles.lookup().unreflect(main);
        final boolean withArgs = main.getParameterCount() == 1;
        if (Modifier.isStatic(main.getModifiers()))
        {
            if (withArgs)
            {
                handle.invokeExact(args);
            }
            else
            {
                handle.invokeExact();
            }
            return;
        }
        final java.lang.reflect.Constructor<?> constructor = type.getDeclaredConstructor();
        constructor.setAccessible(true);
        final Object instance = MethodHandles.lookup().unreflectConstructor(constructor).invoke();
        if (withArgs)
        {
            handle.invoke(instance, args);
        }
        else
        {
            handle.invoke(instance);
        }
    }

    /**
     * The method {@code java} 25 launches in {@code type} (JEP 512): a non-private {@code main(String[])}, else a
     * non-private {@code main()}, declared by it or a superclass, static or (then the class has a non-private no-arg
     * constructor) an instance method.
     *
     * @param type a main class.
     * @return the method, or null when {@code type} has none that {@code java} would launch.
     */
    public static Method mainMethod(final Class<?> type)
    {
        Method main = findMain(type, String[].class);
        if (main == null)
        {
            main = findMain(type);
        }
        if (main != null && !Modifier.isStatic(main.getModifiers()))
        {
            try
            {
                if (Modifier.isPrivate(type.getDeclaredConstructor().getModifiers()) ||
                    Modifier.isAbstract(type.getModifiers()))
                {
                    return null;
                }
            }
            catch (final NoSuchMethodException ex)
            {
                return null;
            }
        }
        return main;
    }

    /**
     * @param type a class.
     * @return why {@code java} would not launch it, naming it and what it needs.
     */
    public static String notLaunchable(final Class<?> type)
    {
        return type.getName() + " has no main method java can launch: it needs a non-private main(String[]) or " +
            "main(), static, or an instance method with a non-private no-argument constructor";
    }

    private static Method findMain(final Class<?> type, final Class<?>... parameters)
    {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass())
        {
            try
            {
                final Method main = c.getDeclaredMethod("main", parameters);
                if (!Modifier.isPrivate(main.getModifiers()) && main.getReturnType() == void.class)
                {
                    return main;
                }
            }
            catch (final NoSuchMethodException ignore)
            {
                // look in the superclass
            }
        }
        return null;
    }

    /**
     * Reads the target from the file the parent wrote ({@link #FILE_PREFIX} and its path) and deletes it: a lambda's
     * compact form, else a serialized object.
     */
    private static Runnable decode(final String encoded) throws Exception
    {
        if (!encoded.startsWith(FILE_PREFIX))
        {
            throw new IllegalArgumentException("ipckit ChildMain: expected " + FILE_PREFIX + "<path> as the target");
        }
        final Path file = Paths.get(encoded.substring(FILE_PREFIX.length()));
        final byte[] bytes;
        try
        {
            bytes = Files.readAllBytes(file);
        }
        finally
        {
            Files.deleteIfExists(file);
        }
        if (startsWith(bytes, LambdaTarget.PREFIX))
        {
            return LambdaTarget.decode(new String(bytes, StandardCharsets.UTF_8));
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes)))
        {
            return (Runnable)in.readObject();
        }
    }

    private static boolean startsWith(final byte[] bytes, final String asciiPrefix)
    {
        if (bytes.length < asciiPrefix.length())
        {
            return false;
        }
        for (int i = 0; i < asciiPrefix.length(); i++)
        {
            if (bytes[i] != asciiPrefix.charAt(i))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Watches the parent (pid and start time) and exits this child when it dies. Until this JVM has bound its system
     * calls, and where the kernel cannot watch, it reads {@code /proc/<pid>/stat} every {@value #WATCHDOG_PERIOD_MS}
     * ms; then it hands the parent to {@link PeerWatch}, parks until told of its exit, and reads {@code /proc} only
     * every {@value #WATCHED_PERIOD_MS} ms (a safety net), so an idle child does not wake 20 times a second. It parks
     * in Java rather than blocking in a native call (a pipe's read, a pidfd's poll): HotSpot delays every JVM exit by
     * 300 ms while a thread sits in native code.
     */
    private static void startWatchdog(final ProcessIdentity parent)
    {
        if (!parent.isAlive())
        {
            System.err.println("ipckit: parent " + parent + " is already gone; daemon child exits");
            Runtime.getRuntime().halt(1);
        }
        final Thread watchdog = new Thread(() ->
        {
            if (AotCache.isTraining())
            {
                NativeBinding.instance().bindNow(); // the recording then holds the binding and the watch below
            }
            final Thread self = Thread.currentThread();
            final long token = OwnerToken.of(parent);
            final PeerWatch.Interest interest = new PeerWatch.Interest(() -> LockSupport.unpark(self));
            boolean watched = false;
            while (parent.isAlive())
            {
                if (!watched && NativeBinding.instance().isBound())
                {
                    watched = PeerWatch.instance().watch(token, interest) == PeerWatch.WATCHED;
                }
                if (watched && !interest.exitNoticed())
                {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(WATCHED_PERIOD_MS));
                }
                else
                {
                    watched = false; // told: the parent exited, or the watch ended with this JVM's exit
                    interest.clearExitNoticed();
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(WATCHDOG_PERIOD_MS));
                }
                if (Thread.interrupted())
                {
                    return;
                }
            }
            parentDied();
        }, "ipckit-parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    private static void parentDied()
    {
        final Thread halter = new Thread(() ->
        {
            try
            {
                Thread.sleep(HALT_AFTER_MS);
            }
            catch (final InterruptedException ignore)
            {
                // halt anyway
            }
            Runtime.getRuntime().halt(128 + JvmProcess.SIGKILL);
        }, "ipckit-parent-watchdog-halt");
        halter.setDaemon(true);
        halter.start();
        // exit (not halt) so that shutdown hooks unlink what this child created
        System.exit(128 + JvmProcess.SIGTERM);
    }
}
