package io.ipckit.core.exceptions;

/**
 * This JVM was started without a flag that ipckit needs, e.g.
 * {@code --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED}, which Agrona's buffers need to reach
 * {@code jdk.internal.misc.Unsafe}. Thrown at the first use that needs the flag (the first mapping of a shared
 * file), before anything is mapped; the message names the flag and says where to add it.
 */
public class MissingJvmFlagException extends IpcException
{
    private static final long serialVersionUID = 1L;

    private final String flag;

    /**
     * @param flag    the missing flag, exactly as it goes on the {@code java} command line.
     * @param message what needs it and how to add it.
     */
    public MissingJvmFlagException(final String flag, final String message)
    {
        super(message);
        this.flag = flag;
    }

    /**
     * @return the missing flag, exactly as it goes on the {@code java} command line.
     */
    public String flag()
    {
        return flag;
    }
}
