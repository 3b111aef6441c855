package io.ipckit.core.internal.process;

/**
 * The check of the {@code classPath} option that {@link io.ipckit.core.process.ProcessOptions} and the options of
 * the pool and the manager share (each starts child JVMs with it): one rule and one message for all three.
 * <p>
 * Stateless and thread-safe.
 */
public final class ClassPathOption
{
    private ClassPathOption()
    {
    }

    /**
     * @param classPath a class path for child JVMs, or null for this JVM's.
     * @return {@code classPath}.
     * @throws IllegalArgumentException when it is blank.
     */
    public static String validate(final String classPath)
    {
        if (classPath != null && classPath.isBlank())
        {
            throw new IllegalArgumentException("classPath must not be blank; pass null for this JVM's class path");
        }
        return classPath;
    }
}
