package io.ipckit.cli;

import io.ipckit.core.ResourceInfo;
import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.internal.kit.Doorbell;
import io.ipckit.core.internal.kit.OwnerLock;
import io.ipckit.core.internal.kit.OwnerToken;
import io.ipckit.shm.sync.LockDescriptor;
import org.agrona.concurrent.AtomicBuffer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/**
 * {@code ipckit unlock NAME}: frees a {@code Lock}, {@code RLock} or {@code Condition} whose owner died, and only
 * then. It does what the next waiter would do on its own once its liveness check is due: takes the lock over from the
 * dead owner with a compare-and-set ({@link OwnerLock#tryTakeOverFromDead()}, so a racing waiter that takes it
 * first wins and this command reports it), counts the takeover, releases the lock and rings its doorbell so that
 * sleeping waiters wake. A lock held by a live process is never touched: there is no {@code --force}.
 * <p>
 * The other kinds recover from dead holders by themselves on their next use (semaphore permits, queue and pipe
 * locks), so they are refused with a message saying so.
 * <p>
 * Not thread-safe (a picocli command object).
 */
@Command(name = "unlock", mixinStandardHelpOptions = true,
    description = "Free a Lock, RLock or Condition whose owner is dead (never one whose owner is alive).")
final class UnlockCommand extends BaseCommand implements Callable<Integer>
{
    @Parameters(index = "0", paramLabel = "NAME", description = "The lock.")
    String name;

    /**
     * @return {@link Ipckit#EXIT_OK} when the lock was freed, {@link Ipckit#EXIT_FAILURE} when it is free, held by
     * a live process, or not a lock.
     */
    @Override
    public Integer call()
    {
        final ResourceInfo info = Resources.info(name, "unlock");
        if (info.kind() == null || info.state() != ResourceInfo.State.READY ||
            switch (info.kind())
            {
                case LOCK, RLOCK, CONDITION -> false;
                default -> true;
            })
        {
            throw new IpcException("\"" + name + "\" is " + Resources.describe(info) + ": unlock frees a Lock, RLock " +
                "or Condition; the other kinds recover from a dead holder by themselves on their next use");
        }
        try (ResourceFile file = Resources.open(info))
        {
            if (file.layoutVersion() != LayoutReader.SYNC_LAYOUT_VERSION)
            {
                throw new IpcException("\"" + name + "\" has layout version " + file.layoutVersion() +
                    ", not the one this ipckit reads (" + LayoutReader.SYNC_LAYOUT_VERSION + ")");
            }
            final AtomicBuffer buffer = file.buffer();
            final int data = file.headerLength();
            final OwnerLock lock = new OwnerLock().wrap(buffer, data + LockDescriptor.OWNER_OFFSET);
            final long holder = lock.holder();
            if (holder == OwnerToken.NONE)
            {
                err().println("ipckit unlock: " + name + " is not locked");
                return Ipckit.EXIT_FAILURE;
            }
            if (OwnerToken.isAlive(holder))
            {
                err().println("ipckit unlock: " + name + " is held by pid " + OwnerToken.pid(holder) +
                    ", which is alive: not unlocked (only a dead owner's lock is freed)");
                return Ipckit.EXIT_FAILURE;
            }
            final long dead = lock.tryTakeOverFromDead();
            if (dead == OwnerToken.NONE)
            {
                err().println("ipckit unlock: " + name + " changed hands meanwhile (a waiter took it over): " +
                    "nothing to do");
                return Ipckit.EXIT_FAILURE;
            }
            buffer.getAndAddLong(data + LockDescriptor.TAKEOVERS_OFFSET, 1);
            buffer.putLongVolatile(data + LockDescriptor.OWNER_THREAD_OFFSET, 0);
            lock.release();
            new Doorbell().wrap(buffer, data + LockDescriptor.LOCK_DOORBELL_OFFSET).ring();
            out().println("unlocked " + name + " (its owner, pid " + OwnerToken.pid(dead) + ", is dead)");
            return Ipckit.EXIT_OK;
        }
    }
}
