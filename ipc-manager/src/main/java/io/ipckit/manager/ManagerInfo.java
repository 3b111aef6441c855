package io.ipckit.manager;

import io.ipckit.core.process.ProcessIdentity;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A manager started by name ({@link Manager#start}) as its files in the shared directory show it, running or left
 * behind by a killed one: the answer of {@link ManagerDirectory#list()}, what {@code bin/ipckit ls} prints for it.
 * <p>
 * A snapshot: the manager may stop or start right after it was read. Immutable, so thread-safe.
 *
 * @param name            the manager's name ({@code results} for {@code manager-results.sock}).
 * @param state           running, starting, or dead.
 * @param process         the manager's process, from its record; null when it wrote none (it died before, or
 *                        was started by an ipckit that wrote none).
 * @param startedAtMillis when it started, in epoch milliseconds (from its record, else its oldest file's
 *                        modification time).
 * @param files           its files that exist: socket, key, record.
 */
public record ManagerInfo(String name, State state, ProcessIdentity process, long startedAtMillis, List<Path> files)
{
    /**
     * Whether a manager's process is there.
     */
    public enum State
    {
        /** Its process is alive (by pid and start time), or, with no record, its socket accepts connections. */
        RUNNING,
        /** Only a key younger than {@link ManagerDirectory#STARTING_GRACE}: {@link Manager#start} is under way. */
        STARTING,
        /** Its process is gone: its files are leftovers ({@link ManagerDirectory#unlink}). */
        DEAD
    }

    /**
     * Copies the file list (immutable from now on).
     */
    public ManagerInfo
    {
        files = List.copyOf(files);
    }

    /**
     * @return true unless {@link State#DEAD}.
     */
    public boolean alive()
    {
        return state != State.DEAD;
    }

    /**
     * @param nowMillis the current epoch time in milliseconds.
     * @return how long ago it started (zero when its clock is ahead).
     */
    public Duration age(final long nowMillis)
    {
        return Duration.ofMillis(Math.max(0, nowMillis - startedAtMillis));
    }
}
