package io.ipckit.pipe;

import io.ipckit.core.file.ResourceFile;

/**
 * The mapping of one {@link Connection}'s file and what keeps it mapped after {@link Connection#close()}, so that no
 * public call ever touches unmapped memory and no close waits for a call to end:
 * <ul>
 * <li>a call of either half under way at the close, on any thread ({@link HalfGate}): a receive whose handler still
 * reads its message in place, a send still writing. The call unmaps as it leaves when it is the last.</li>
 * <li>a zero-copy claim not yet committed or aborted (its writer may still write into
 * {@link Connection#claimBuffer()}): the commit or abort that ends the last such claim unmaps.</li>
 * </ul>
 * The close also finishes the sending side (aborts every uncommitted claim, so that the messages behind it are read,
 * and publishes the end's state {@code CLOSED} to the peer), with the file mapped: at once when no send call runs,
 * else in that call as it leaves, on the sending thread, since the ring has a single writer. Nothing is ever unmapped
 * on a timeout: a call that never leaves keeps the file mapped until the process exits.
 * <p>
 * Note to maintainers: every method is synchronized, and the close decides under the monitor from the gates' depths,
 * read after the guard's closed flag and the waiting side of the asymmetric fence; a gate's call that leaves before
 * that decision ({@link #callLeft} before {@link #close}) stored its depth first, so the decision does not count it.
 * After the close, the claim list of {@link SendHalf} is changed only under this monitor. None of this is on a hot
 * path: it runs in a close, and in calls made after one.
 * <p>
 * Thread-safe.
 */
final class EndMapping
{
    private final ResourceFile file;
    private HalfGate sendGate;
    private HalfGate receiveGate;
    private SendHalf sender;
    /** Aborts the claims and publishes the close to the peer (when the file is intact); called once. */
    private Runnable finishSendSide;
    /** The close has looked at the gates. */
    private boolean decided;
    private boolean sendPinned;
    private boolean receivePinned;
    private boolean sendFinished;
    private boolean unmapped;

    EndMapping(final ResourceFile file)
    {
        this.file = file;
    }

    /**
     * Completes the construction of the end (the gates and the halves need this mapping first).
     */
    synchronized void attach(
        final HalfGate sendGate, final HalfGate receiveGate, final SendHalf sender, final Runnable finishSendSide)
    {
        this.sendGate = sendGate;
        this.receiveGate = receiveGate;
        this.sender = sender;
        this.finishSendSide = finishSendSide;
    }

    /**
     * Called once by the close, after the guard is closed and the waiting side of the asymmetric fence: finishes the
     * sending side now unless a send call runs, and unmaps now unless a call runs or a claim is outstanding.
     */
    synchronized void close()
    {
        decided = true;
        sendPinned = sendGate.isInCall();
        receivePinned = receiveGate.isInCall();
        try
        {
            if (!sendPinned)
            {
                finishSend();
            }
        }
        finally
        {
            unmapIfFree();
        }
    }

    /**
     * Called by a call of a closed end as it leaves its gate: the outermost call of a half the close found inside
     * gives the mapping back (finishing the sending side first, for the send half).
     */
    synchronized void callLeft(final HalfGate gate)
    {
        if (!decided || gate.isInCall())
        {
            return; // left before the close looked (it was not counted), or an inner call of a nested one
        }
        try
        {
            if (gate == sendGate)
            {
                if (sendPinned)
                {
                    sendPinned = false;
                    finishSend();
                }
            }
            else
            {
                receivePinned = false;
            }
        }
        finally
        {
            unmapIfFree();
        }
    }

    /**
     * Ends the claim at {@code index} for a commit or abort made after the close: drops it from the claims that
     * keep the file mapped (aborting it in the ring first when the close has not finished the sending side yet).
     */
    synchronized void claimEndedAfterClose(final int index)
    {
        try
        {
            sender.endClaimAfterClose(index, !sendFinished && !unmapped);
        }
        finally
        {
            unmapIfFree();
        }
    }

    private void finishSend()
    {
        sendFinished = true;
        finishSendSide.run();
    }

    private void unmapIfFree()
    {
        if (decided && !sendPinned && !receivePinned && !sender.hasClaims() && !unmapped)
        {
            unmapped = true;
            file.close();
        }
    }
}
