/**
 * The resource tracker: what a process created and did not unlink is removed when it dies, unless persistent.
 */
package io.ipckit.core.tracker;
