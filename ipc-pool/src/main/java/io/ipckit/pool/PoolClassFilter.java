package io.ipckit.pool;

import java.io.ObjectInputFilter;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The allow-list for values a pool receives from its workers: classes of {@code java.base}, of ipckit, of the
 * packages whose code the pool sent to its workers (learnt from each submitted task, function and initializer),
 * and of the user's patterns. Everything else is rejected, so a compromised worker cannot make the pool's process
 * instantiate arbitrary classes.
 * <p>
 * Thread-safe.
 */
final class PoolClassFilter implements ObjectInputFilter
{
    private static final long MAX_DEPTH = 64;
    private static final long MAX_REFERENCES = 10_000_000;

    private final Set<String> packages = ConcurrentHashMap.newKeySet();
    private final ObjectInputFilter userPatterns;
    private final String patterns;

    /**
     * @param patterns {@link ObjectInputFilter.Config#createFilter} patterns of further accepted classes.
     */
    PoolClassFilter(final String[] patterns)
    {
        this.patterns = String.join(";", patterns);
        this.userPatterns = patterns.length == 0 ? null :
            ObjectInputFilter.Config.createFilter(String.join(";", patterns) + ";!*");
    }

    /**
     * Admits the package of a class whose code the pool sends to workers.
     */
    void allowPackageOf(final Object code)
    {
        if (code != null)
        {
            packages.add(code.getClass().getPackageName());
        }
    }

    @Override
    public Status checkInput(final FilterInfo info)
    {
        if (info.depth() > MAX_DEPTH || info.references() > MAX_REFERENCES)
        {
            return Status.REJECTED;
        }
        Class<?> type = info.serialClass();
        if (type == null)
        {
            return Status.UNDECIDED;
        }
        while (type.isArray())
        {
            type = type.getComponentType();
        }
        if (type.isPrimitive() || type.getModule() == Object.class.getModule() ||
            type.getName().startsWith("io.ipckit.") || packages.contains(type.getPackageName()))
        {
            return Status.ALLOWED;
        }
        return userPatterns != null && userPatterns.checkInput(info) == Status.ALLOWED ? Status.ALLOWED : Status.REJECTED;
    }

    /**
     * @return what the filter admits, for refusal messages.
     */
    @Override
    public String toString()
    {
        return "[java.base, io.ipckit, packages of the submitted code " + packages +
            (patterns.isEmpty() ? "" : ", " + patterns) + "]";
    }
}
