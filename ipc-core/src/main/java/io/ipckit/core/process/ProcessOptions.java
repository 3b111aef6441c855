package io.ipckit.core.process;

import io.ipckit.core.internal.process.ClassPathOption;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Settings of a child JVM that {@link JvmProcess} starts: its arguments, JVM options, name, daemon flag, class
 * path, environment, where its input comes from and its output goes, whether it starts with an AOT cache, a launcher
 * command and a start delay. Defaults: no arguments, the JVM flags ipckit needs and no others, this JVM's class path,
 * input from {@code /dev/null} (as Python's {@code Process}), output and error inherited, not a daemon, the AOT cache on unless {@value #AOT_CACHE_PROP_NAME} is false, no start delay.
 * <pre>{@code
 * JvmProcess child = JvmProcess.start(Consumer.class, new ProcessOptions().args("prices").daemon(true));
 * }</pre>
 * Setters validate their argument and return {@code this}; getters of the same name return the value.
 * {@link JvmProcess} reads the options when it starts a child, so one instance may start several children and may be
 * changed between starts.
 * <p>
 * Not thread-safe: configure it on one thread, then pass it to {@link JvmProcess#start(Class, ProcessOptions)}.
 */
public final class ProcessOptions
{
    /** System property: whether children start with a JDK 25 AOT cache by default. */
    public static final String AOT_CACHE_PROP_NAME = "ipckit.process.aot.cache";
    /** Default of {@link #AOT_CACHE_PROP_NAME}: on. */
    public static final boolean AOT_CACHE_DEFAULT = true;
    /** The JVM options that {@code java} takes as two words, the option and then its value. */
    public static final List<String> TWO_WORD_JVM_OPTIONS = List.of("--add-opens", "--add-exports",
        "--add-modules", "--add-reads", "--enable-native-access", "--module-path", "-p", "--upgrade-module-path",
        "--limit-modules", "--patch-module");
    private static final java.util.Set<String> CLASS_PATH_OPTIONS = java.util.Set.of("-cp", "-classpath",
        "--class-path");
    /** The longest {@link #startDelay(long, TimeUnit)} accepted: 10 s. */
    public static final long MAX_START_DELAY_NS = TimeUnit.SECONDS.toNanos(10);
    /** The default of {@link #redirectInput(ProcessBuilder.Redirect)}: the child reads end of file at once. */
    public static final ProcessBuilder.Redirect NO_INPUT = ProcessBuilder.Redirect.from(new java.io.File("/dev/null"));

    private final List<String> args = new ArrayList<>();
    private final List<String> jvmOptions = new ArrayList<>();
    private final Map<String, String> environment = new LinkedHashMap<>();
    private final List<String> launcher = new ArrayList<>();
    private String name;
    private boolean daemon;
    private String classPath;
    private ProcessBuilder.Redirect redirectInput = NO_INPUT;
    private ProcessBuilder.Redirect redirectOutput = ProcessBuilder.Redirect.INHERIT;
    private ProcessBuilder.Redirect redirectError = ProcessBuilder.Redirect.INHERIT;
    private boolean redirectErrorStream;
    private long startDelayNs;
    private boolean aotCache = Boolean.parseBoolean(
        System.getProperty(AOT_CACHE_PROP_NAME, Boolean.toString(AOT_CACHE_DEFAULT)));

    /**
     * @param args the arguments of the child's main class, replacing any set before; usually the names of the
     *             resources to open.
     * @return this.
     * @throws NullPointerException when {@code args} or one of them is null.
     */
    public ProcessOptions args(final String... args)
    {
        final List<String> copy = List.of(args);
        this.args.clear();
        this.args.addAll(copy);
        return this;
    }

    /**
     * @return the arguments, unmodifiable.
     */
    public List<String> args()
    {
        return Collections.unmodifiableList(args);
    }

    /**
     * @param options extra JVM options, e.g. {@code -Xmx256m}, replacing any set before; the child gets them after
     *                the flags ipckit needs and its parent's module flags. The options that {@code java} takes as two
     *                words ({@link #TWO_WORD_JVM_OPTIONS}, e.g. {@code "--add-opens",
     *                "java.base/java.lang=ALL-UNNAMED"}) may be given so, or as one ({@code --add-opens=...}).
     * @return this.
     * @throws NullPointerException     when {@code options} or one of them is null.
     * @throws IllegalArgumentException when an option does not start with {@code -} and is not the value of a
     *                                  two-word option, when a two-word option lacks its value, or when it sets the
     *                                  class path (use {@link #classPath(String)}).
     */
    public ProcessOptions jvmOptions(final String... options)
    {
        final List<String> copy = List.of(options);
        for (int i = 0; i < copy.size(); i++)
        {
            final String option = copy.get(i);
            if (CLASS_PATH_OPTIONS.contains(option) || option.startsWith("--class-path="))
            {
                throw new IllegalArgumentException("jvmOptions: " + option + " sets the class path, which ipckit " +
                    "passes itself; set the child's class path with classPath(...)");
            }
            if (TWO_WORD_JVM_OPTIONS.contains(option))
            {
                if (i + 1 == copy.size() || copy.get(i + 1).startsWith("-"))
                {
                    throw new IllegalArgumentException("jvmOptions: " + option + " needs a value after it, e.g. " +
                        "jvmOptions(\"" + option + "\", \"<value>\") or jvmOptions(\"" + option + "=<value>\")");
                }
                i++; // its value
            }
            else if (!option.startsWith("-"))
            {
                throw new IllegalArgumentException("jvmOptions: \"" + option + "\" is not a JVM option (those start " +
                    "with '-', and a value follows only one of " + TWO_WORD_JVM_OPTIONS + "); pass the arguments " +
                    "of the main class with args(...)");
            }
        }
        this.jvmOptions.clear();
        this.jvmOptions.addAll(copy);
        return this;
    }

    /**
     * @return the extra JVM options, unmodifiable.
     */
    public List<String> jvmOptions()
    {
        return Collections.unmodifiableList(jvmOptions);
    }

    /**
     * @param name a name for diagnostics (Python's {@code Process.name}), or null for the target's name.
     * @return this.
     */
    public ProcessOptions name(final String name)
    {
        this.name = name;
        return this;
    }

    /**
     * @return the name, or null for the target's name.
     */
    public String name()
    {
        return name;
    }

    /**
     * @param daemon true for a child that dies with its parent, even when the parent is SIGKILLed.
     * @return this.
     */
    public ProcessOptions daemon(final boolean daemon)
    {
        this.daemon = daemon;
        return this;
    }

    /**
     * @return true for a child that dies with its parent.
     */
    public boolean daemon()
    {
        return daemon;
    }

    /**
     * @param classPath the child's class path, or null (the default) for this JVM's.
     * @return this.
     * @throws IllegalArgumentException when {@code classPath} is blank.
     */
    public ProcessOptions classPath(final String classPath)
    {
        this.classPath = ClassPathOption.validate(classPath);
        return this;
    }

    /**
     * @return the child's class path: the one set, else this JVM's.
     */
    public String classPath()
    {
        return classPath != null ? classPath : System.getProperty("java.class.path");
    }

    /**
     * @param key   an environment variable for the child, added to (or replacing one of) this JVM's.
     * @param value its value.
     * @return this.
     * @throws NullPointerException     when {@code key} or {@code value} is null.
     * @throws IllegalArgumentException when {@code key} is empty or holds '=' or NUL.
     */
    public ProcessOptions environment(final String key, final String value)
    {
        if (key.isEmpty() || key.indexOf('=') >= 0 || key.indexOf('\0') >= 0 || value.indexOf('\0') >= 0)
        {
            throw new IllegalArgumentException("environment: invalid variable \"" + key + "\"=\"" + value +
                "\" (a name is not empty and holds no '=' or NUL; a value holds no NUL)");
        }
        environment.put(key, value);
        return this;
    }

    /**
     * @return the variables added to the child's environment, unmodifiable, in the order set.
     */
    public Map<String, String> environment()
    {
        return Collections.unmodifiableMap(environment);
    }

    /**
     * The child's standard output and error go where this JVM's go (the default).
     *
     * @return this.
     */
    public ProcessOptions inheritIO()
    {
        redirectOutput = ProcessBuilder.Redirect.INHERIT;
        redirectError = ProcessBuilder.Redirect.INHERIT;
        return this;
    }

    /**
     * @param redirect where the child's standard input comes from: {@link #NO_INPUT} ({@code /dev/null}, the default,
     *                 so a child that reads it sees end of file rather than waiting forever), {@code INHERIT} (this
     *                 JVM's), {@code Redirect.from(file)} or {@code PIPE} (then write to, and close,
     *                 {@link JvmProcess#process()}'s output stream).
     * @return this.
     * @throws NullPointerException     when {@code redirect} is null.
     * @throws IllegalArgumentException when it is a redirect to write to.
     */
    public ProcessOptions redirectInput(final ProcessBuilder.Redirect redirect)
    {
        final ProcessBuilder.Redirect.Type type = redirect.type();
        if (type == ProcessBuilder.Redirect.Type.WRITE || type == ProcessBuilder.Redirect.Type.APPEND)
        {
            throw new IllegalArgumentException("redirectInput: " + redirect + " is a redirect to write to; the " +
                "child's input needs one to read from (a file, NO_INPUT, PIPE or INHERIT)");
        }
        redirectInput = redirect;
        return this;
    }

    /**
     * @return where the child's standard input comes from.
     */
    public ProcessBuilder.Redirect redirectInput()
    {
        return redirectInput;
    }

    /**
     * @param redirect where the child's standard output goes, e.g. {@code Redirect.to(file)}, {@code DISCARD} or
     *                 {@code PIPE} (then read {@link JvmProcess#process()}'s input stream).
     * @return this.
     * @throws NullPointerException     when {@code redirect} is null.
     * @throws IllegalArgumentException when it is a redirect to read from.
     */
    public ProcessOptions redirectOutput(final ProcessBuilder.Redirect redirect)
    {
        redirectOutput = writable(redirect, "redirectOutput");
        return this;
    }

    /**
     * @param file a file for the child's standard output (truncated).
     * @return this.
     */
    public ProcessOptions redirectOutput(final Path file)
    {
        return redirectOutput(ProcessBuilder.Redirect.to(file.toFile()));
    }

    /**
     * @return where the child's standard output goes.
     */
    public ProcessBuilder.Redirect redirectOutput()
    {
        return redirectOutput;
    }

    /**
     * @param redirect where the child's standard error goes.
     * @return this.
     * @throws NullPointerException     when {@code redirect} is null.
     * @throws IllegalArgumentException when it is a redirect to read from.
     */
    public ProcessOptions redirectError(final ProcessBuilder.Redirect redirect)
    {
        redirectError = writable(redirect, "redirectError");
        return this;
    }

    /**
     * @return where the child's standard error goes (unless {@link #redirectErrorStream()}).
     */
    public ProcessBuilder.Redirect redirectError()
    {
        return redirectError;
    }

    /**
     * @param merge true to send standard error wherever standard output goes.
     * @return this.
     */
    public ProcessOptions redirectErrorStream(final boolean merge)
    {
        redirectErrorStream = merge;
        return this;
    }

    /**
     * @return true when standard error goes wherever standard output goes.
     */
    public boolean redirectErrorStream()
    {
        return redirectErrorStream;
    }

    /**
     * @param enabled true (the default, unless {@value #AOT_CACHE_PROP_NAME} is false) to start the child with a JDK
     *                25 AOT cache, which shortens its start-up (about 150 ms to 100 ms to a first message); ignored
     *                when the class path holds directories. The first child of a class path and main class trains
     *                the cache, and its {@link JvmProcess#join()} returns once the cache is assembled (about half a
     *                second later). Nothing is printed, and a cache replaces the one of an earlier build of the same
     *                class path.
     * @return this.
     */
    public ProcessOptions aotCache(final boolean enabled)
    {
        this.aotCache = enabled;
        return this;
    }

    /**
     * @return true when the child starts with an AOT cache where one applies.
     */
    public boolean aotCache()
    {
        return aotCache;
    }

    /**
     * @param command a command the child's {@code java} command line is appended to, replacing any set before; empty
     *                (the default) to start {@code java} directly. It must execute that command line in its own
     *                process (as {@code exec} does), so that the JVM keeps the pid {@link JvmProcess} sees, e.g.
     *                {@code ip netns exec <namespace>} to start the child in a network namespace.
     * @return this.
     * @throws NullPointerException     when {@code command} or one of its words is null.
     * @throws IllegalArgumentException when a word is empty.
     */
    public ProcessOptions launcher(final String... command)
    {
        final List<String> copy = List.of(command);
        for (final String word : copy)
        {
            if (word.isEmpty())
            {
                throw new IllegalArgumentException("launcher: a word is empty in " + copy);
            }
        }
        launcher.clear();
        launcher.addAll(copy);
        return this;
    }

    /**
     * @return the launcher command, unmodifiable; empty when {@code java} starts directly.
     */
    public List<String> launcher()
    {
        return Collections.unmodifiableList(launcher);
    }

    /**
     * @param delay how long the child waits before its JVM starts, in a shell ({@code /bin/sh}, which then
     *              {@code exec}s the JVM, so the pid stays the same); 0 or less (the default) to start at once. The
     *              child exists, has its pid and may be killed from the start; only its JVM's start-up (some 50 ms of
     *              CPU on two or more cores) comes later, so that it does not compete with another JVM starting now.
     *              A process pool starts its other workers so, after the first.
     * @param unit  the unit of {@code delay}.
     * @return this.
     * @throws IllegalArgumentException when over {@link #MAX_START_DELAY_NS}.
     */
    public ProcessOptions startDelay(final long delay, final TimeUnit unit)
    {
        final long delayNs = delay <= 0 ? 0 : unit.toNanos(delay);
        if (delayNs > MAX_START_DELAY_NS)
        {
            throw new IllegalArgumentException("startDelay: " + delay + " " + unit + " is over the limit of " +
                TimeUnit.NANOSECONDS.toMillis(MAX_START_DELAY_NS) + " ms");
        }
        startDelayNs = delayNs;
        return this;
    }

    /**
     * @param unit the unit of the result.
     * @return how long the child waits before its JVM starts, in {@code unit} (rounded down), 0 for not at all.
     */
    public long startDelay(final TimeUnit unit)
    {
        return unit.convert(startDelayNs, TimeUnit.NANOSECONDS);
    }

    /**
     * @return the settings, for diagnostics.
     */
    @Override
    public String toString()
    {
        return "ProcessOptions{args=" + args + ", jvmOptions=" + jvmOptions + ", name=" + name + ", daemon=" + daemon +
            ", classPath=" + (classPath != null ? classPath : "(this JVM's)") + ", environment=" + environment.keySet() +
            ", redirectInput=" + redirectInput + ", redirectOutput=" + redirectOutput + ", redirectError=" + redirectError + ", redirectErrorStream=" +
            redirectErrorStream + ", aotCache=" + aotCache + (launcher.isEmpty() ? "" : ", launcher=" + launcher) +
            (startDelayNs == 0 ? "" : ", startDelayNs=" + startDelayNs) + "}";
    }

    private static ProcessBuilder.Redirect writable(final ProcessBuilder.Redirect redirect, final String option)
    {
        if (redirect.type() == ProcessBuilder.Redirect.Type.READ)
        {
            throw new IllegalArgumentException(option + ": " + redirect + " is a redirect to read from; the child's " +
                "output needs one to write to (a file, DISCARD, PIPE or INHERIT)");
        }
        return redirect;
    }
}
