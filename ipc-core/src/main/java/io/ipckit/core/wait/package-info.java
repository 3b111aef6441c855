/**
 * Blocking between processes: {@link io.ipckit.core.wait.WakeSignal} sleeps on a futex word in shared memory and
 * is woken by another process, entering the kernel only when someone sleeps; {@link io.ipckit.core.wait.Await}
 * waits for a condition either that way or with an Agrona {@link org.agrona.concurrent.IdleStrategy}.
 * <p>
 * Kernel sleeps are cut into slices of at most 50 ms so that interruption and deadlines are honoured (a native
 * futex call cannot be interrupted by {@link java.lang.Thread#interrupt()}); a sleeper costs about 20 wake-ups a
 * second, which is no measurable CPU.
 */
package io.ipckit.core.wait;
