package io.ipckit.manager.internal;

/**
 * A managed object that something holds per client connection (a lock's ownership), given back when the client's
 * lease ends.
 */
public interface OwnedResource
{
    /**
     * Gives back whatever {@code session} holds here (called once, when the session ends).
     *
     * @param session the ended client connection.
     */
    void releaseAll(ServerSession session);
}
