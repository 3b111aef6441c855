/**
 * Mapped files in the shared directory: {@link io.ipckit.core.file.MappedFile} (raw, allocated up front) and
 * {@link io.ipckit.core.file.ResourceFile} (typed, with the header of
 * {@link io.ipckit.core.file.ResourceHeaderDescriptor}, published last and validated before it is trusted).
 */
package io.ipckit.core.file;
