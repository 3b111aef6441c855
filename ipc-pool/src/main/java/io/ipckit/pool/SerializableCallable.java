package io.ipckit.pool;

import java.io.Serializable;
import java.util.concurrent.Callable;

/**
 * A {@link Callable} that can be sent to a worker JVM. A lambda passed to {@link ProcessPool#submit} becomes one
 * automatically; whatever it captures must be serializable.
 *
 * @param <V> the result type.
 */
@FunctionalInterface
public interface SerializableCallable<V> extends Callable<V>, Serializable
{
}
