package io.ipckit.net;

import io.ipckit.core.internal.net.FreePort;

import java.util.concurrent.TimeUnit;

/**
 * Helpers of ipc-net's tests.
 */
final class NetTesting
{
    /** The liveness timeout the tests use, so that a dead peer is noticed fast. */
    static final long LIVENESS_MS = 1_000;

    private NetTesting()
    {
    }

    /**
     * @return a UDP port free now, below the ephemeral range ({@link FreePort}): no endpoint the test binds to port 0
     * meanwhile can be given it.
     */
    static int freePort()
    {
        return FreePort.udp();
    }

    /**
     * @return options for tests: a short liveness timeout and close linger, a small term.
     */
    static NetOptions options()
    {
        return new NetOptions()
            .livenessTimeout(LIVENESS_MS, TimeUnit.MILLISECONDS)
            .closeLingerTimeout(2, TimeUnit.SECONDS)
            .termLengthBytes(256 * 1024);
    }

    /**
     * @param length the length.
     * @param seed   what makes the message distinct.
     * @return a message whose every byte depends on its index, its length and seed.
     */
    static byte[] message(final int length, final int seed)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(i * 31 + seed * 7 + length);
        }
        return bytes;
    }
}
