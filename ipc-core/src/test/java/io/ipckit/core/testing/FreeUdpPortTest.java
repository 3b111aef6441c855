package io.ipckit.core.testing;

import org.junit.jupiter.api.Test;

import java.net.DatagramSocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FreeUdpPortTest
{
    @Test
    void shouldPickABindablePortBelowTheEphemeralRange() throws Exception
    {
        final int port = FreeUdpPort.pick();
        assertTrue(port >= FreeUdpPort.LOWEST && port < FreeUdpPort.ephemeralLow(),
            port + " is not in " + FreeUdpPort.LOWEST + ".." + (FreeUdpPort.ephemeralLow() - 1));
        try (DatagramSocket socket = new DatagramSocket(port))
        {
            assertEquals(port, socket.getLocalPort());
        }
    }

    @Test
    void shouldNeverBeGivenByABindToPortZero() throws Exception
    {
        final int ephemeralLow = FreeUdpPort.ephemeralLow();
        for (int i = 0; i < 20; i++)
        {
            try (DatagramSocket socket = new DatagramSocket(0))
            {
                assertTrue(socket.getLocalPort() >= ephemeralLow,
                    "the kernel gave port " + socket.getLocalPort() + " below " + ephemeralLow + " for port 0");
            }
        }
    }
}
