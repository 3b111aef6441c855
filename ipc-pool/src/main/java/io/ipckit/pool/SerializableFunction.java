package io.ipckit.pool;

import java.io.Serializable;
import java.util.function.Function;

/**
 * A {@link Function} that can be sent to a worker JVM, for {@link ProcessPool#map} and friends.
 *
 * @param <T> the argument type.
 * @param <R> the result type.
 */
@FunctionalInterface
public interface SerializableFunction<T, R> extends Function<T, R>, Serializable
{
}
