/**
 * Codecs turn values into bytes in shared memory and back: {@link io.ipckit.core.codec.Codec} and the built-ins in
 * {@link io.ipckit.core.codec.Codecs}. Only the object codec uses Java serialization, and only behind an
 * allow-list filter.
 */
package io.ipckit.core.codec;
