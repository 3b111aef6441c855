package io.ipckit.demos.examples;

import io.ipckit.core.codec.Codecs;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.pipe.Connection;
import io.ipckit.pipe.Pipe;

import java.io.Serializable;
import java.util.concurrent.TimeUnit;

/**
 * The README's first example, on the public API only: a parent JVM creates a duplex pipe, starts a worker JVM that
 * opens it by name, sends it a job and receives its result. Records travel through the default codec; the receiving
 * side names the type it expects ({@link Codecs#forType(Class)}), which admits that type's package through the
 * deserialization allow-list.
 */
public final class HelloTwoJvms
{
    /**
     * A job the parent sends.
     *
     * @param id   the job's number.
     * @param text what to work on.
     */
    public record Job(int id, String text) implements Serializable
    {
    }

    /**
     * The worker's answer.
     *
     * @param id        the job's number.
     * @param upper     the job's text in upper case.
     * @param workerPid the pid of the worker JVM.
     */
    public record Result(int id, String upper, long workerPid) implements Serializable
    {
    }

    private HelloTwoJvms()
    {
    }

    /**
     * Runs the example and prints the worker's answer.
     *
     * @param args none.
     * @throws InterruptedException when interrupted while waiting for the worker.
     */
    public static void main(final String[] args) throws InterruptedException
    {
        final Result result = run("hello");
        System.out.println("worker " + result.workerPid() + " answered job " + result.id() + ": " + result.upper());
    }

    /**
     * Sends one job to a new worker JVM through a pipe and returns its result.
     *
     * @param pipeName the pipe's name in the shared directory.
     * @return the worker's result.
     * @throws InterruptedException when interrupted while waiting for the worker.
     * @throws IllegalStateException when the worker did not exit normally.
     */
    public static Result run(final String pipeName) throws InterruptedException
    {
        try (Connection conn = Pipe.create(pipeName))                                  // end A of a duplex pipe
        {
            final JvmProcess worker = JvmProcess.start(Worker.class, new ProcessOptions().args(pipeName).daemon(true));
            conn.send(new Job(1, "hello from " + ProcessHandle.current().pid()));
            final Result result = conn.recv(Codecs.forType(Result.class));             // blocks; allow-listed type
            if (!worker.join(30, TimeUnit.SECONDS) || worker.exitCode().orElse(-1) != 0)
            {
                throw new IllegalStateException("the worker " + worker.pid() + " did not exit normally: " +
                    worker.exitCode());
            }
            return result;
        }
    }

    /**
     * The worker JVM: opens the pipe by name, answers one job and exits.
     */
    public static final class Worker
    {
        private Worker()
        {
        }

        /**
         * @param args the pipe's name.
         * @throws InterruptedException when interrupted while waiting for the job.
         */
        public static void main(final String[] args) throws InterruptedException
        {
            try (Connection conn = Pipe.open(args[0]))                                  // end B
            {
                final Job job = conn.recv(Codecs.forType(Job.class));
                conn.send(new Result(job.id(), job.text().toUpperCase(), ProcessHandle.current().pid()));
            }
        }
    }
}
