/**
 * The cookbook: one small Java twin for each {@code multiprocessing} example of the Python notes ipckit was born
 * from, each runnable with {@code bin/run-class io.ipckit.demos.cookbook.<Name>} and run by the demos' tests.
 * {@code docs/python-to-ipckit.md} shows each beside its Python original and says what differs and why.
 * <p>
 * Every example names its resources with a random suffix and unlinks them, so that it can run next to any other
 * and leaves the shared directory as it found it. Child code lives in static methods run through
 * {@link io.ipckit.demos.cookbook.Child#of}, the analogue of Python's {@code Process(target=f, args=(...))}.
 */
package io.ipckit.demos.cookbook;
