/**
 * The foundation of ipckit: names and the shared directory ({@link io.ipckit.core.ResourceName},
 * {@link io.ipckit.core.SharedDirectory}). Sub-packages hold mapped files and headers, process identity and child
 * JVMs, futex wait/wake, codecs, the resource tracker and the exceptions.
 */
package io.ipckit.core;
