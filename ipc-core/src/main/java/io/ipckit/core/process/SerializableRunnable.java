package io.ipckit.core.process;

import java.io.Serializable;

/**
 * A {@link Runnable} that can be sent to a child JVM: a serializable lambda or class. What it captures must be
 * serializable too, and its class must be on the child's class path (by default the parent's).
 */
@FunctionalInterface
public interface SerializableRunnable extends Runnable, Serializable
{
}
