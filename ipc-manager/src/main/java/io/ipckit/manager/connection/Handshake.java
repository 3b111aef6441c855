package io.ipckit.manager.connection;

import io.ipckit.core.exceptions.IpcException;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * Mutual challenge-response authentication over an authkey, the scheme of Python's
 * {@code multiprocessing.connection} ({@code deliver_challenge}/{@code answer_challenge}) with its SHA-256 digest:
 * the challenger sends {@code "#CHALLENGE#{sha256}" + 40 random bytes}; the answerer replies
 * {@code "{sha256}" + HMAC-SHA256(authkey, "{sha256}" + random)}; the challenger compares in constant time and
 * replies {@code "#WELCOME#"} or {@code "#FAILURE#"}. The listener challenges first, then answers the client's
 * challenge, so each side proves it knows the key without sending it. Handshake frames are at most
 * {@link #MAX_HANDSHAKE_FRAME_BYTES} long, so a stranger cannot make the listener allocate: every transport's
 * connection starts with that limit and refuses a longer frame before reading or reassembling it; {@link Listener}
 * and {@link Client} raise it after the handshake. It runs the same on every {@link FrameConnection}.
 */
final class Handshake
{
    static final int MAX_HANDSHAKE_FRAME_BYTES = FrameConnection.MAX_HANDSHAKE_FRAME_BYTES;
    private static final int MESSAGE_LENGTH = 40;
    private static final byte[] CHALLENGE = "#CHALLENGE#".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] WELCOME = "#WELCOME#".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FAILURE = "#FAILURE#".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DIGEST_PREFIX = "{sha256}".getBytes(StandardCharsets.US_ASCII);
    private static final SecureRandom RANDOM = new SecureRandom();

    private Handshake()
    {
    }

    static void deliverChallenge(final FrameConnection connection, final byte[] authkey)
    {
        final byte[] message = concat(DIGEST_PREFIX, randomBytes());
        connection.sendBytes(concat(CHALLENGE, message));
        final byte[] expected = concat(DIGEST_PREFIX, hmac(authkey, message));
        final byte[] response = receive(connection);
        if (MessageDigest.isEqual(expected, response))
        {
            connection.sendBytes(WELCOME);
        }
        else
        {
            connection.sendBytes(FAILURE);
            throw new AuthenticationException("digest received from " + connection.peerName() +
                " was wrong: the peer does not know the authkey");
        }
    }

    static void answerChallenge(final FrameConnection connection, final byte[] authkey)
    {
        final byte[] message = receive(connection);
        if (!startsWith(message, CHALLENGE) || !startsWith(Arrays.copyOfRange(message, CHALLENGE.length,
            message.length), DIGEST_PREFIX))
        {
            throw new AuthenticationException("peer " + connection.peerName() +
                " did not send a {sha256} challenge: not an ipckit manager or multiprocessing listener");
        }
        final byte[] challenge = Arrays.copyOfRange(message, CHALLENGE.length, message.length);
        connection.sendBytes(concat(DIGEST_PREFIX, hmac(authkey, challenge)));
        final byte[] reply = receive(connection);
        if (!Arrays.equals(reply, WELCOME))
        {
            throw new AuthenticationException("digest sent to " + connection.peerName() +
                " was rejected: wrong authkey");
        }
    }

    /**
     * Receives a handshake frame; a longer one than a handshake's is refused here too, should a transport's
     * connection have started with a higher limit than {@link FrameConnection#MAX_HANDSHAKE_FRAME_BYTES}.
     */
    private static byte[] receive(final FrameConnection connection)
    {
        final byte[] frame = connection.recvBytes();
        if (frame.length > MAX_HANDSHAKE_FRAME_BYTES)
        {
            throw new AuthenticationException("peer " + connection.peerName() + " sent a frame of " + frame.length +
                " bytes during the handshake, more than " + MAX_HANDSHAKE_FRAME_BYTES + ": not a manager handshake");
        }
        return frame;
    }

    private static byte[] hmac(final byte[] authkey, final byte[] message)
    {
        try
        {
            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(authkey.length == 0 ? new byte[1] : authkey, "HmacSHA256"));
            return mac.doFinal(message);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IpcException("HmacSHA256 is not available in this JVM", ex);
        }
    }

    private static byte[] randomBytes()
    {
        final byte[] bytes = new byte[MESSAGE_LENGTH];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private static boolean startsWith(final byte[] bytes, final byte[] prefix)
    {
        return bytes.length >= prefix.length && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static byte[] concat(final byte[] a, final byte[] b)
    {
        final byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
