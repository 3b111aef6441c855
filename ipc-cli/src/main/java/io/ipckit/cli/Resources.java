package io.ipckit.cli;

import io.ipckit.core.ResourceInfo;
import io.ipckit.core.SharedDirectory;
import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.file.ResourceFile;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the commands share: a resource's header as a map (the {@code --json} shape of {@code ls}), and opening a
 * listed resource for reading its layout. Stateless and thread-safe.
 */
final class Resources
{
    private Resources()
    {
    }

    /**
     * @param info      a listed resource.
     * @param nowMillis the current epoch time.
     * @return its fields: name, kind, state, layoutVersion, sizeBytes, creatorPid, creatorStartTime, alive,
     * ageSeconds, createdAtMillis, persistent and, when corrupt, problem.
     */
    static Map<String, Object> toMap(final ResourceInfo info, final long nowMillis)
    {
        final Map<String, Object> map = new LinkedHashMap<>();
        map.put("name", info.name());
        map.put("kind", info.kindName());
        map.put("state", info.state().name().toLowerCase(java.util.Locale.ROOT));
        map.put("layoutVersion", info.layoutVersion());
        map.put("sizeBytes", info.sizeBytes());
        map.put("creatorPid", info.creator() == null ? null : info.creator().pid());
        map.put("creatorStartTime", info.creator() == null ? null : info.creator().startTime());
        map.put("alive", info.creator() == null ? null : info.creatorAlive());
        map.put("ageSeconds", info.age(nowMillis).toSeconds());
        map.put("createdAtMillis", info.createdAtMillis());
        map.put("persistent", info.persistent());
        if (info.problem() != null)
        {
            map.put("problem", info.problem());
        }
        return map;
    }

    /**
     * @param info a resource listed as {@link ResourceInfo.State#READY}.
     * @return the file opened for reading its layout (whatever its layout version).
     * @throws IpcException when the resource is not a published ipckit resource or cannot be opened.
     */
    static ResourceFile open(final ResourceInfo info)
    {
        if (info.state() != ResourceInfo.State.READY)
        {
            throw new IpcException("\"" + info.name() + "\" is " + describe(info) +
                ": no layout to read (see `ipckit dump " + info.name() + "`)");
        }
        return ResourceFile.open(info.name(), info.kind(), Integer.MAX_VALUE, 0);
    }

    /**
     * @param info a listed resource.
     * @return a phrase for messages: "a raw SharedMemory segment", "corrupt (reason)", "being created".
     */
    static String describe(final ResourceInfo info)
    {
        return switch (info.state())
        {
            case READY -> "a " + info.kindName();
            case PUBLISHING -> "being created by pid " + info.creator().pid();
            case RAW -> "a raw SharedMemory segment (no ipckit header)";
            case CORRUPT -> "corrupt (" + info.problem() + ")";
        };
    }

    /**
     * @param name a resource name.
     * @return its listing.
     * @throws io.ipckit.core.exceptions.ResourceNotFoundException when it does not exist.
     */
    static ResourceInfo info(final String name)
    {
        return SharedDirectory.info(name);
    }

    /**
     * @param name    a resource name.
     * @param command the command that needs a resource ({@code dump}, {@code tail}, {@code unlock}).
     * @return its listing.
     * @throws IpcException                                        when the name is a manager's, to which the command
     *                                                             does not apply.
     * @throws io.ipckit.core.exceptions.ResourceNotFoundException when nothing has that name.
     */
    static ResourceInfo info(final String name, final String command)
    {
        try
        {
            return SharedDirectory.info(name);
        }
        catch (final io.ipckit.core.exceptions.ResourceNotFoundException ex)
        {
            Managers.refuse(name, command);
            throw ex;
        }
    }
}
