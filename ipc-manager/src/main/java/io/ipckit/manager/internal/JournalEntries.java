package io.ipckit.manager.internal;

import io.ipckit.core.process.ProcessIdentity;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * The layout of a durable manager's journal entries, beside each its process identity and sequence number (the call
 * id; 0 for an entry of a client handle): written by {@link ManagerJournal}, read back by {@link JournalReplay}.
 * Numbers are big-endian, strings and arguments as in a call frame ({@link Wire}):
 * <pre>
 *   CALL           nonce:long ackBelow:long objectId:long method:string args:byte [args]   (earlier versions; read)
 *   THREAD_CALL    nonce:long ackBelow:long objectId:long threadId:long method:string args:byte [args]
 *   CLIENT_GONE    nonce:long
 *   CLIENT_JOINED  nonce:long reconnectMs:long local:byte pid:long startTime:long   (pid and start time 0 if remote)
 * </pre>
 * A call's entry is its frame from the method's signature on, so a call that runs as it came is journaled by a copy
 * ({@link #callOfFrame}); a blocking call, journaled as the non-blocking form that succeeded, is written anew
 * ({@link #call}). Stateless.
 */
final class JournalEntries
{
    /** An entry of a call, without the calling thread: written by earlier versions, still read. */
    static final byte CALL = 1;
    /** An entry of a call, with the calling thread's id in the client. */
    static final byte THREAD_CALL = 2;
    /** An entry saying that a client handle left for good (closed, dead, or away past its time): it is forgotten. */
    static final byte CLIENT_GONE = 3;
    /** An entry saying that a new client handle said hello: remembered across a restart before its first call. */
    static final byte CLIENT_JOINED = 4;
    /** An entry's kind, client nonce, ackBelow, object id and thread id, before the signature. */
    private static final int HEADER_LENGTH = 1 + 4 * Long.BYTES;
    /** A client-gone entry: its kind and the client's nonce. */
    private static final int CLIENT_GONE_LENGTH = 1 + Long.BYTES;
    /**
     * A client-joined entry: its kind, the client's nonce, its reconnect timeout in ms, 1 when it is of this host (then
     * its pid and start time follow) or 0.
     */
    private static final int CLIENT_JOINED_LENGTH = 1 + 2 * Long.BYTES + 1 + 2 * Long.BYTES;

    private JournalEntries()
    {
    }

    /**
     * Writes the entry of a call anew.
     *
     * @param nonce     the client.
     * @param ackBelow  the call's {@code ackBelow}.
     * @param objectId  the called object.
     * @param threadId  the calling thread's id in the client.
     * @param signature the method's signature.
     * @param args      the call's arguments.
     * @param codec     the manager's codec, for arguments that are not compact values.
     * @return the entry.
     * @throws IllegalArgumentException when an argument is not serializable.
     */
    static Wire.Out call(final long nonce, final long ackBelow, final long objectId, final long threadId,
        final String signature, final Object[] args, final WireCodec codec)
    {
        final Wire.Out out = new Wire.Out(THREAD_CALL).putLong(nonce).putLong(ackBelow).putLong(objectId)
            .putLong(threadId).putString(signature);
        codec.writeArgs(out, args, (obj) -> obj);
        return out;
    }

    /**
     * Writes the entry of a call from its frame: its client, {@code ackBelow}, object and calling thread, then the
     * call frame's signature and arguments as they came (the layout of {@link #call} from the signature on).
     *
     * @param into     where to write, from its start; the caller owns it (the journal's, under its {@code lock}).
     * @param nonce    the client.
     * @param ackBelow the call's {@code ackBelow}.
     * @param objectId the called object.
     * @param threadId the calling thread's id in the client.
     * @param frame    the call's frame.
     * @return the entry's length.
     */
    static int callOfFrame(final MutableDirectBuffer into, final long nonce, final long ackBelow, final long objectId,
        final long threadId, final byte[] frame)
    {
        final int rest = frame.length - Wire.CALL_SIGNATURE_OFFSET;
        into.putByte(0, THREAD_CALL);
        into.putLong(1, nonce, ByteOrder.BIG_ENDIAN);
        into.putLong(1 + Long.BYTES, ackBelow, ByteOrder.BIG_ENDIAN);
        into.putLong(1 + 2 * Long.BYTES, objectId, ByteOrder.BIG_ENDIAN);
        into.putLong(1 + 3 * Long.BYTES, threadId, ByteOrder.BIG_ENDIAN);
        into.putBytes(HEADER_LENGTH, frame, Wire.CALL_SIGNATURE_OFFSET, rest);
        return HEADER_LENGTH + rest;
    }

    /**
     * Writes the entry saying that a client handle left for good.
     *
     * @param into  where to write, from its start; the caller owns it (the journal's, under its {@code lock}).
     * @param nonce the client handle.
     * @return the entry's length.
     */
    static int clientGone(final MutableDirectBuffer into, final long nonce)
    {
        into.putByte(0, CLIENT_GONE);
        into.putLong(1, nonce, ByteOrder.BIG_ENDIAN);
        return CLIENT_GONE_LENGTH;
    }

    /**
     * Writes the entry saying that a new client handle said hello.
     *
     * @param into        where to write, from its start; the caller owns it (the journal's, under its {@code lock}).
     * @param nonce       the client handle.
     * @param reconnectMs its reconnect timeout in ms, 0 when it never reconnects.
     * @param local       true when the client is of this host.
     * @param caller      the client's process: its pid and start time are written when it is local.
     * @return the entry's length.
     */
    static int clientJoined(final MutableDirectBuffer into, final long nonce, final long reconnectMs,
        final boolean local, final ProcessIdentity caller)
    {
        into.putByte(0, CLIENT_JOINED);
        into.putLong(1, nonce, ByteOrder.BIG_ENDIAN);
        into.putLong(1 + Long.BYTES, reconnectMs, ByteOrder.BIG_ENDIAN);
        into.putByte(1 + 2 * Long.BYTES, (byte)(local ? 1 : 0));
        into.putLong(2 + 2 * Long.BYTES, local ? caller.pid() : 0, ByteOrder.BIG_ENDIAN);
        into.putLong(2 + 3 * Long.BYTES, local ? caller.startTime() : 0, ByteOrder.BIG_ENDIAN);
        return CLIENT_JOINED_LENGTH;
    }
}
