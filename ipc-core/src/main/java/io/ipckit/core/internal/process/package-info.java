/**
 * Internal: the entry point of the child JVMs that {@link io.ipckit.core.process.JvmProcess} starts, the JVM
 * flags they get and the check for a missing one. Not part of
 * the public API; it may change in any release.
 */
package io.ipckit.core.internal.process;
