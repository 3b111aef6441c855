package io.ipckit.pipe;

import io.ipckit.core.file.ResourceFile;

/**
 * The mapping of one {@link Connection}'s file and what keeps it mapped after {@link Connection#close()}: a zero-copy
 * claim not yet committed or aborted (its writer may still be writing into {@link Connection#claimBuffer()}), and a
 * receive handler still running (a handler that closes the connection goes on reading its buffer, and the ring is
 * read after it returns). A close in either case marks the mapping pinned instead of unmapping it; the commit or
 * abort that ends the claim, or the receive call whose handler closed, unmaps it when it leaves, so that no public
 * call ever touches unmapped memory.
 * <p>
 * Thread-safe: every method is synchronized; none is on a hot path (they run in a close, and after one).
 */
final class EndMapping
{
    private final ResourceFile file;
    private boolean claimPinned;
    private boolean handlerPinned;
    private boolean unmapped;

    EndMapping(final ResourceFile file)
    {
        this.file = file;
    }

    /**
     * Unmaps now, or when the pins given are released.
     *
     * @param claim   a claim is outstanding.
     * @param handler a receive handler of the closing thread is running.
     */
    synchronized void closeOrDefer(final boolean claim, final boolean handler)
    {
        claimPinned = claim;
        handlerPinned = handler;
        unmapIfFree();
    }

    /**
     * The outstanding claim ended (committed or aborted after the close): unmaps unless a handler still runs.
     */
    synchronized void releaseClaim()
    {
        claimPinned = false;
        unmapIfFree();
    }

    /**
     * The handler that closed returned: unmaps unless a claim is still outstanding.
     */
    synchronized void releaseHandler()
    {
        handlerPinned = false;
        unmapIfFree();
    }

    private void unmapIfFree()
    {
        if (!claimPinned && !handlerPinned && !unmapped)
        {
            unmapped = true;
            file.close();
        }
    }
}
