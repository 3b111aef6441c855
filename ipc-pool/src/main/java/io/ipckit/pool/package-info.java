/**
 * {@link io.ipckit.pool.ProcessPool}: Python's {@code multiprocessing.Pool} as an
 * {@link java.util.concurrent.ExecutorService} of worker JVMs, configured by {@link io.ipckit.pool.PoolOptions}.
 * <p>
 * How the pieces fit. {@code ProcessPool} is the public facade; {@code TaskSubmitter} encodes what is submitted into
 * {@code PoolTask}s (once, in the submitting thread) and {@code Invocations} and {@code CompletionOrder} give the
 * bulk and {@code asCompleted} forms; {@code FunctionTable} holds each function of a task, once per distinct
 * encoding, while a task uses it (in the pool, and in each worker, which is told to forget it after).
 * {@code PoolScheduler} holds the queue and the workers' state ({@code WorkerTable}, one {@code WorkerSlot} per
 * worker) and runs the dispatcher thread, which hands tasks to workers with room through {@code TaskSender} without
 * waiting for one worker's full ring, and a timer thread, which enforces the task timeout with {@code TaskTimer};
 * when a result frees room, the worker's reader sends it the next queued task itself if that needs no waiting, so
 * that a stream of small tasks costs no thread wake-up per task.
 * {@code WorkerLauncher} starts each worker JVM ({@code PoolWorker}) and its replacements.
 * <p>
 * Each worker talks to the pool through its own duplex {@link io.ipckit.pipe.Pipe}, reached only through
 * {@code WorkerChannel}: tasks one way, results the other ({@code PoolMessageDescriptor}), written in place in the
 * ring and read in place by one {@code WorkerReader} thread per worker. The pipe's guarantees are the pool's: every
 * result a dead worker committed arrives before the reader learns of its death, and a worker whose pool closed its
 * end or died exits. Beside the pipes, one {@code TaskBoard} file per pool ({@code TaskBoardDescriptor}) holds the
 * id of the task each worker is running, so that a worker's death fails only that task, and a task can be timed.
 */
package io.ipckit.pool;
