/**
 * Operating-system calls through the Foreign Function &amp; Memory API: futex, exclusive creation with allocated
 * pages, and waiting on another process's exit. Internal to ipckit; its API may change without notice.
 */
package io.ipckit.core.internal.os;
