package io.ipckit.net;

import io.ipckit.core.codec.Codecs;
import io.ipckit.core.testing.TestDirectory;
import io.ipckit.pipe.Connection;
import io.ipckit.pipe.Pipe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.ipckit.net.NetTesting.options;
import static org.junit.jupiter.api.Assertions.*;

/**
 * One piece of code written against {@link Connection} runs unchanged over a local pipe and across hosts.
 */
@Timeout(60)
class ConnectionInterfaceTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    /**
     * The program: asks three questions and collects the answers; knows nothing of where its connection goes.
     */
    private static List<String> ask(final Connection connection) throws InterruptedException
    {
        final List<String> answers = new ArrayList<>();
        for (int i = 0; i < 3; i++)
        {
            connection.send("question " + i, Codecs.STRING);
            answers.add(connection.recv(Codecs.STRING, 10, TimeUnit.SECONDS));
        }
        return answers;
    }

    private static Void answer(final Connection connection) throws InterruptedException
    {
        for (int i = 0; i < 3; i++)
        {
            connection.send("answer to " + connection.recv(Codecs.STRING), Codecs.STRING);
        }
        return null;
    }

    private static void assertAnswered(final Connection asker, final Connection answerer) throws Exception
    {
        final CompletableFuture<Void> answering = CompletableFuture.supplyAsync(() ->
        {
            try
            {
                return answer(answerer);
            }
            catch (final InterruptedException ex)
            {
                throw new IllegalStateException(ex);
            }
        });
        assertEquals(List.of("answer to question 0", "answer to question 1", "answer to question 2"), ask(asker));
        answering.get(10, TimeUnit.SECONDS);
    }

    @Test
    void shouldRunTheSameCodeOverALocalPipeAndAcrossHosts() throws Exception
    {
        try (Connection local = Pipe.create("questions"); Connection localPeer = Pipe.open("questions"))
        {
            assertAnswered(local, localPeer);
        }
        final String address = "127.0.0.1:" + NetTesting.freePort();
        final CompletableFuture<NetConnection> listening = CompletableFuture.supplyAsync(() ->
        {
            try
            {
                return NetPipe.listen(address, options(), 20, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                throw new IllegalStateException(ex);
            }
        });
        try (Connection remote = NetPipe.connect(address, options(), 20, TimeUnit.SECONDS);
             Connection remotePeer = listening.get(20, TimeUnit.SECONDS))
        {
            assertAnswered(remote, remotePeer);
        }
    }
}
