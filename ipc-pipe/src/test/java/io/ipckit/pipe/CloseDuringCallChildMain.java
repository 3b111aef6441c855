package io.ipckit.pipe;

import io.ipckit.core.testing.Eventually;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Child JVM for closes of a pipe end made on one thread while a receive handler runs on another (which once crashed
 * the JVM: the close unmapped the file under the handler). The handler waits until the close has returned, then
 * reads its message in place. Prints one line per step, the result or the simple name of what a call threw, and
 * exits 0; a crash shows as exit code 134 and missing lines. Modes:
 * <ul>
 * <li>{@code receive} — the message is there before the receive starts (its first look hands it over);</li>
 * <li>{@code waiting-receive} — the receive is asleep on the empty ring when the message arrives;</li>
 * <li>{@code drain} — a drain hands it over.</li>
 * </ul>
 */
public final class CloseDuringCallChildMain
{
    private static final int LENGTH = 1024;

    private CloseDuringCallChildMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final String mode = args[0];
        final String name = args[1];
        final Connection a = Pipe.create(name);
        final Connection b = Pipe.open(name);
        final byte[] message = new byte[LENGTH];
        Arrays.fill(message, (byte)1);
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch closed = new CountDownLatch(1);
        final long[] sum = new long[1];
        final BufferHandler handler = (buffer, offset, length) ->
        {
            entered.countDown();
            awaitUninterruptibly(closed);
            for (int i = 0; i < length; i++)
            {
                sum[0] += buffer.getByte(offset + i); // in place, after the close returned
            }
        };
        final Thread reader = new Thread(() -> call("reader", () -> switch (mode)
        {
            case "receive", "waiting-receive" -> a.receive(handler, 30, TimeUnit.SECONDS);
            case "drain" -> a.drain(handler, 10);
            default -> throw new IllegalArgumentException(mode);
        }));
        if (mode.equals("waiting-receive"))
        {
            reader.start();
            Eventually.await("the reader asleep on the empty ring", Duration.ofSeconds(20),
                () -> ((PipeConnection)a).receiversAwaitingData() > 0);
            b.sendBytes(message);
        }
        else
        {
            b.sendBytes(message);
            reader.start();
        }
        if (!entered.await(20, TimeUnit.SECONDS))
        {
            System.exit(3);
        }
        call("close", () ->
        {
            a.close();
            return "returned";
        });
        closed.countDown();
        reader.join();
        System.out.println("sum " + sum[0]);
        call("peer", () -> b.recvBytes(20, TimeUnit.SECONDS));
        b.close();
        System.out.println("unlinked " + !io.ipckit.core.SharedDirectory.exists(name));
        System.out.println("END");
        System.out.flush();
    }

    private static void awaitUninterruptibly(final CountDownLatch latch)
    {
        while (true)
        {
            try
            {
                latch.await();
                return;
            }
            catch (final InterruptedException ex)
            {
                // the test waits on: only the close releases the handler
            }
        }
    }

    interface Step
    {
        Object run() throws Exception;
    }

    private static void call(final String what, final Step step)
    {
        String result;
        try
        {
            result = String.valueOf(step.run());
        }
        catch (final Exception ex)
        {
            result = ex.getClass().getSimpleName();
        }
        System.out.println(what + ": " + result);
        System.out.flush();
    }
}
