/**
 * {@code bin/ipckit}: see and repair what the shared directory holds, as AeronStat does for Aeron's CnC file and
 * {@code ipcs}/{@code ipcrm} do for System V IPC. {@link io.ipckit.cli.Ipckit} is the entry point; each verb is a
 * picocli command of its own ({@code ls}, {@code stat}, {@code rm}, {@code dump}, {@code tail}, {@code unlock}).
 * <p>
 * Everything is read from the files themselves: the common header (through
 * {@link io.ipckit.core.SharedDirectory#list()}) and each kind's layout words, at the offsets of its
 * {@code *Descriptor} ({@link io.ipckit.cli.LayoutReader}). Reading never changes a resource; {@code rm} and
 * {@code unlock} refuse to touch what a live process holds unless told {@code --force}.
 * <p>
 * Exit codes: 0 ok, 1 failure (nothing found, refused, corrupt), 2 usage. Listings take {@code --json}; text output
 * is plain (no ANSI colour) unless stdout is a terminal.
 */
package io.ipckit.cli;
