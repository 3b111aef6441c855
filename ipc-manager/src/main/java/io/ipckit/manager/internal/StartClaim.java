package io.ipckit.manager.internal;

import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.exceptions.ResourceExistsException;
import io.ipckit.core.process.ProcessIdentity;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;

/**
 * The exclusive claim of one start of a manager by name: a lock ({@link FileChannel#tryLock}) on
 * {@code manager-<name>.lock} in the shared directory, held by the starting JVM from before it looks at the name's
 * files until its handle is connected (or its start failed and it removed what it made). Two starts of one name,
 * in any processes, never both hold it, so a start only ever removes or writes the files of a dead manager or its
 * own. The lock file stays while the manager runs; whoever removes it takes the lock first.
 * <p>
 * Note to maintainers: a lock is held on a file, not a path. A start that opened the file just before someone
 * removed it could lock the removed file while another start locks the new one; so a claim writes a token of its
 * own into the file it locked and reads it back through the path, and only a claim whose token the path shows
 * holds the name.
 * <p>
 * Not thread-safe: one per start; process-safe through the lock.
 */
public final class StartClaim implements AutoCloseable
{
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;

    private StartClaim(final Path path, final FileChannel channel, final FileLock lock)
    {
        this.path = path;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Claims a name for one start.
     *
     * @param path     the lock file, {@code manager-<name>.lock}.
     * @param describe the manager, for messages ({@code "manager results"}).
     * @return the claim; {@link #close()} gives it up.
     * @throws ResourceExistsException when another start of that name holds it, naming its process.
     * @throws IpcException            when the lock file cannot be opened or written.
     */
    public static StartClaim acquire(final Path path, final String describe)
    {
        // the channel is interruptible: an interrupt would close it and fail the claim with a misleading message,
        // so the flag is put aside for the claim and set again after it (the start reports it)
        final boolean interrupted = Thread.interrupted();
        try
        {
            return acquireUninterrupted(path, describe);
        }
        finally
        {
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static StartClaim acquireUninterrupted(final Path path, final String describe)
    {
        FileChannel channel = null;
        try
        {
            channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
            FileLock lock;
            try
            {
                lock = channel.tryLock();
            }
            catch (final OverlappingFileLockException ex)
            {
                lock = null; // a start of this JVM holds it
            }
            if (lock == null)
            {
                throw beingStarted(path, describe);
            }
            final String token = "pid=" + ProcessIdentity.current().pid() + "\nnonce=" + RANDOM.nextLong() + "\n";
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(token.getBytes(StandardCharsets.US_ASCII)), 0);
            if (!token.equals(readQuietly(path)))
            {
                lock.release();
                throw beingStarted(path, describe); // the file was removed or replaced after it was opened
            }
            final StartClaim claim = new StartClaim(path, channel, lock);
            channel = null;
            return claim;
        }
        catch (final IOException ex)
        {
            throw new IpcException("cannot claim the start of " + describe + " with the lock file " + path + ": " +
                ex.getMessage(), ex);
        }
        finally
        {
            closeQuietly(channel);
        }
    }

    /**
     * Removes the lock file while this claim holds it (a start that failed, or that found only a dead manager's
     * files and made none). Does not throw.
     */
    public void delete()
    {
        try
        {
            Files.deleteIfExists(path);
        }
        catch (final IOException ex)
        {
            // the next start locks it as it is
        }
    }

    /**
     * Gives the claim up; the lock file stays. Idempotent.
     */
    @Override
    public void close()
    {
        final boolean interrupted = Thread.interrupted();
        try
        {
            release();
        }
        finally
        {
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void release()
    {
        try
        {
            if (lock.isValid())
            {
                lock.release();
            }
        }
        catch (final IOException ex)
        {
            // closing the channel releases it
        }
        closeQuietly(channel);
    }

    /**
     * Removes a lock file unless a start holds it. Does not throw.
     *
     * @param path the lock file.
     * @return true when it was removed or was not there, false when a start holds it (it stays).
     */
    public static boolean deleteUnlessHeld(final Path path)
    {
        final boolean interrupted = Thread.interrupted();
        try
        {
            return deleteUnlessHeldUninterrupted(path);
        }
        finally
        {
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static boolean deleteUnlessHeldUninterrupted(final Path path)
    {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final FileLock lock;
            try
            {
                lock = channel.tryLock();
            }
            catch (final OverlappingFileLockException ex)
            {
                return false;
            }
            if (lock == null)
            {
                return false;
            }
            try
            {
                Files.deleteIfExists(path); // while locked: a start that opened it sees its token gone
            }
            finally
            {
                lock.release();
            }
            return true;
        }
        catch (final NoSuchFileException ex)
        {
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    private static ResourceExistsException beingStarted(final Path path, final String describe)
    {
        final String holder = readQuietly(path);
        final int end = holder == null ? -1 : holder.indexOf('\n');
        final String pid = end > 4 && holder.startsWith("pid=") ? " by process " + holder.substring(4, end) : "";
        return new ResourceExistsException(describe + " is being started" + pid + " (it holds " + path +
            "); wait for that start and connect to the manager, or start it under another name");
    }

    private static String readQuietly(final Path path)
    {
        try
        {
            return Files.readString(path, StandardCharsets.US_ASCII);
        }
        catch (final IOException ex)
        {
            return null;
        }
    }

    private static void closeQuietly(final FileChannel channel)
    {
        if (channel != null)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ex)
            {
                // nothing held
            }
        }
    }
}
