package io.ipckit.pipe;

import org.agrona.ExpandableArrayBuffer;

import java.util.concurrent.TimeUnit;

/**
 * Child JVM for pipe tests. Modes:
 * <ul>
 * <li>{@code produce name count maxPayload} — opens end B, sends messages 0..count-1 of producer 1, closes.</li>
 * <li>{@code produce-hang name count maxPayload} — as produce, then prints READY and sleeps (to be killed).</li>
 * <li>{@code produce-forever name maxPayload} — sends until killed.</li>
 * <li>{@code echo name} — returns every message received until end of stream, then closes.</li>
 * <li>{@code hold name} — opens end B, prints OPEN, sleeps (to be killed).</li>
 * <li>{@code fill-and-block name rounds} — {@code rounds} times: fills the ring with 120-byte messages (128-byte records:
 * a 1 KiB ring holds 8 and never pads), prints FULL, blocks in one more send
 * until it goes through, prints SENT; then closes.</li>
 * </ul>
 */
public final class PipeChildMain
{
    private PipeChildMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final String mode = args[0];
        final String name = args[1];
        final Connection connection = Pipe.open(name);
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(1024);
        switch (mode)
        {
            case "produce", "produce-hang" ->
            {
                final int count = Integer.parseInt(args[2]);
                final int maxPayload = Integer.parseInt(args[3]);
                for (int seq = 0; seq < count; seq++)
                {
                    final int length = TestMessages.encode(1, seq, maxPayload, buffer);
                    connection.sendBytes(buffer, 0, length);
                }
                if (mode.equals("produce"))
                {
                    connection.close();
                }
                else
                {
                    System.out.println("READY");
                    System.out.flush();
                    TimeUnit.MINUTES.sleep(5);
                }
            }
            case "produce-forever" ->
            {
                final int maxPayload = Integer.parseInt(args[2]);
                for (long seq = 0; ; seq++)
                {
                    final int length = TestMessages.encode(1, seq, maxPayload, buffer);
                    connection.sendBytes(buffer, 0, length);
                }
            }
            case "echo" ->
            {
                try
                {
                    while (true)
                    {
                        connection.sendBytes(connection.recvBytes());
                    }
                }
                catch (final io.ipckit.core.exceptions.EndOfStreamException ex)
                {
                    connection.close();
                }
            }
            case "echo-fenced" ->
            {
                if (io.ipckit.core.internal.wait.AsymmetricFence.isRegistrationWanted())
                {
                    System.exit(3); // -Dipckit.membarrier=false was not honoured
                }
                try
                {
                    while (true)
                    {
                        connection.sendBytes(connection.recvBytes());
                    }
                }
                catch (final io.ipckit.core.exceptions.EndOfStreamException ex)
                {
                    connection.close();
                }
            }
            case "claim-and-hold" ->
            {
                // one message committed, then a claim left open: the kill lands between claim and commit
                connection.sendBytes(new byte[]{1});
                if (connection.tryClaim(Integer.parseInt(args[2])) < 0)
                {
                    System.exit(4);
                }
                System.out.println("CLAIMED");
                System.out.flush();
                TimeUnit.MINUTES.sleep(5);
            }
            case "hold" ->
            {
                System.out.println("OPEN");
                System.out.flush();
                TimeUnit.MINUTES.sleep(5);
            }
            case "fill-and-block" ->
            {
                final int rounds = Integer.parseInt(args[2]);
                for (int round = 0; round < rounds; round++)
                {
                    while (connection.sendBytes(buffer, 0, 120, 0, TimeUnit.SECONDS))
                    {
                        // until the ring is full
                    }
                    System.out.println("FULL " + round);
                    System.out.flush();
                    if (!connection.sendBytes(buffer, 0, 120, 10, TimeUnit.MINUTES))
                    {
                        System.exit(5);
                    }
                    System.out.println("SENT " + round);
                    System.out.flush();
                }
                connection.close();
            }
            default -> throw new IllegalArgumentException(mode);
        }
    }
}
