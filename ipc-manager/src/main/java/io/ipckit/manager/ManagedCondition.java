package io.ipckit.manager;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

/**
 * A managed condition variable with its own reentrant lock, Python's {@code manager.Condition()}: {@code acquire}
 * is {@link #lock()}, {@code wait} is {@link #await()}, {@code notify} {@link #signal()}. The lock is owned by the
 * calling thread of the calling process; a process that dies holding it has it released by the manager.
 * Thread- and process-safe.
 */
public interface ManagedCondition extends Lock, Condition
{
}
