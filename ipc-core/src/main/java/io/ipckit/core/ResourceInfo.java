package io.ipckit.core;

import io.ipckit.core.file.ResourceKind;
import io.ipckit.core.process.ProcessIdentity;

import java.time.Duration;

/**
 * What the shared directory holds under one name, read from the file's header without mapping or opening it as a
 * resource: the answer of {@link SharedDirectory#list()} and {@link SharedDirectory#info(String)}, and what
 * {@code bin/ipckit ls} prints.
 * <p>
 * A snapshot: the file may change or disappear right after it was read. Immutable, so thread-safe.
 *
 * @param name            the resource name (the file name in the shared directory).
 * @param state           whether the header is published, being written, absent (a raw segment) or corrupt.
 * @param kind            the kind recorded in the header; null when the state is {@link State#RAW}, or when the
 *                        header is corrupt or names an unknown kind code.
 * @param kindCode        the kind code as read (0 when there is no header).
 * @param layoutVersion   the kind's layout version as read (0 when there is no header).
 * @param sizeBytes       the file's length.
 * @param creator         who created the resource; null when there is no header or the header does not name one.
 * @param creatorAlive    true when {@code creator} is still running (pid and start time match).
 * @param createdAtMillis creation time in epoch milliseconds: the header's, or the file's modification time when
 *                        there is no header.
 * @param persistent      true when the resource was created to survive its creator.
 * @param problem         why the file is {@link State#CORRUPT}, or null.
 */
public record ResourceInfo(
    String name,
    State state,
    ResourceKind kind,
    int kindCode,
    int layoutVersion,
    long sizeBytes,
    ProcessIdentity creator,
    boolean creatorAlive,
    long createdAtMillis,
    boolean persistent,
    String problem)
{
    /** Kind name shown for a file with no ipckit header: a raw {@code SharedMemory} segment or a foreign file. */
    public static final String RAW_KIND_NAME = "SharedMemory";

    /**
     * The state of a file's header.
     */
    public enum State
    {
        /** A published ipckit header that passed every check a listing can make. */
        READY,
        /** An ipckit file whose creator is alive and has not published it yet. */
        PUBLISHING,
        /** No ipckit header: a raw {@code SharedMemory} segment (Python's too) or a foreign file. */
        RAW,
        /** An ipckit header that is truncated, inconsistent, or was never published by a creator now dead. */
        CORRUPT
    }

    /**
     * @return the kind's display name ({@code Queue}, {@code Lock}...), {@value #RAW_KIND_NAME} for a raw segment,
     * {@code unknown(<code>)} for an unknown kind code, or {@code corrupt} when the header could not be read.
     */
    public String kindName()
    {
        if (kind != null)
        {
            return kind.displayName();
        }
        if (state == State.RAW)
        {
            return RAW_KIND_NAME;
        }
        return kindCode == 0 ? "corrupt" : "unknown(" + kindCode + ")";
    }

    /**
     * @return true when the resource was created by a process that is no longer running (false when the creator is
     * unknown, as for a raw segment).
     */
    public boolean creatorDead()
    {
        return creator != null && !creatorAlive;
    }

    /**
     * @param nowMillis the current epoch time in milliseconds.
     * @return how long ago the resource was created (zero when its clock is ahead).
     */
    public Duration age(final long nowMillis)
    {
        return Duration.ofMillis(Math.max(0, nowMillis - createdAtMillis));
    }
}
