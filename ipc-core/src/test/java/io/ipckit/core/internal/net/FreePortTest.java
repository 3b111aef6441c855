package io.ipckit.core.internal.net;

import org.junit.jupiter.api.Test;

import java.net.DatagramSocket;
import java.net.ServerSocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FreePortTest
{
    @Test
    void shouldPickABindablePortBelowTheEphemeralRange() throws Exception
    {
        final int port = FreePort.udp();
        assertTrue(port >= FreePort.LOWEST && port < FreePort.ephemeralLow(),
            port + " is not in " + FreePort.LOWEST + ".." + (FreePort.ephemeralLow() - 1));
        try (DatagramSocket socket = new DatagramSocket(port))
        {
            assertEquals(port, socket.getLocalPort());
        }
    }

    @Test
    void shouldPickAListenablePortBelowTheEphemeralRange() throws Exception
    {
        final int port = FreePort.tcp();
        assertTrue(port >= FreePort.LOWEST && port < FreePort.ephemeralLow(),
            port + " is not in " + FreePort.LOWEST + ".." + (FreePort.ephemeralLow() - 1));
        try (ServerSocket socket = new ServerSocket(port))
        {
            assertEquals(port, socket.getLocalPort());
        }
    }

    @Test
    void shouldNeverBeGivenByABindToPortZero() throws Exception
    {
        final int ephemeralLow = FreePort.ephemeralLow();
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
