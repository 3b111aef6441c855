/**
 * Blocking between processes: {@link io.ipckit.core.internal.wait.WakeSignal} sleeps on a futex word in shared memory and
 * is woken by another process, entering the kernel only when someone sleeps; {@link io.ipckit.core.internal.wait.Await}
 * waits for a condition either that way or with an Agrona {@link org.agrona.concurrent.IdleStrategy}.
 * <p>
 * Kernel sleeps are cut into slices of at most 100 ms, so that deadlines and the liveness looks of their callers come
 * on time; deadlines end the last slice exactly. A native futex call does not notice {@link java.lang.Thread#interrupt()}
 * by itself: {@link io.ipckit.core.internal.wait.InterruptibleSleep} makes an interrupt wake the sleeper at once.
 * A sleeper costs 10 wake-ups a second: measured on a 2-core VM, 2 s of sleeping cost a fresh JVM's thread 4 to 5 ms
 * of CPU (a cold FFM call costs about 200 us, a compiled one about 80 us, mostly the VM's timer).
 */
package io.ipckit.core.internal.wait;
