/**
 * The durable half of ipckit's messaging: {@link io.ipckit.durable.SharedLog}, a replayable log on disk shared by
 * any number of processes, its {@link io.ipckit.durable.LogReader readers}, and the
 * {@link io.ipckit.durable.Journal} a Manager records its mutations in. Only this module depends on Chronicle Queue
 * (and needs its JVM flags: {@code --add-exports java.base/jdk.internal.ref}, {@code sun.nio.ch},
 * {@code jdk.internal.misc}, {@code --add-opens java.base/java.lang.reflect}, and
 * {@code -Dchronicle.analytics.disable=true} so Chronicle neither writes into the user's home nor calls out).
 *
 * <h2>How the pieces fit</h2>
 * A log is a directory: Chronicle Queue's cycle files ({@code *.cq4}, one per {@link io.ipckit.durable.LogRollCycle
 * cycle}), its metadata file ({@code metadata.cq4t}: the directory listing, the write lock, named readers'
 * positions) and ipckit's doorbell file ({@link io.ipckit.durable.internal.LogDoorbellDescriptor}). Each record is
 * one Chronicle document framed by its length ({@link io.ipckit.durable.internal.LogRecordDescriptor}).
 * <ul>
 * <li><b>Appending</b>: Chronicle's appender takes the queue's write lock (a word in the metadata file holding the
 * appender's pid), writes the record after the last one, publishes the document's header with a CAS and releases
 * the lock. The handle then rings the doorbell, which costs one load when no reader sleeps.</li>
 * <li><b>Reading</b>: a Chronicle tailer per reader; a named reader is Chronicle's named tailer, whose index lives
 * in the metadata file and is written as each read completes (at-least-once across a crash: a record being handled
 * when the reader died is read again, none is skipped).</li>
 * <li><b>Waiting</b>: Chronicle tailers poll. A blocked {@link io.ipckit.durable.LogReader} instead registers on
 * the doorbell ({@link io.ipckit.core.internal.kit.Doorbell}: a futex word and a waiter count in the mapped doorbell
 * file) and sleeps; an appender that sees a non-zero count wakes it. The reader's registration is ordered before
 * its look at the log, and the appender's CAS of the header before its load of the count, so a wake-up is never
 * lost. A sleeper wakes every 50 ms (the kit's slice), but asks Chronicle's tailer (about a millisecond at the end
 * of a log) only when the doorbell rang since its last look, and once a second regardless, for records appended by
 * something that does not ring (a Chronicle tool): 8-9 ms of CPU per 2 s idle, measured.</li>
 * </ul>
 *
 * <h2>Crash safety (verified on Chronicle Queue 2026.4)</h2>
 * <ul>
 * <li>A record is visible only once its header is complete, and the header is published last, so an appender
 * killed mid-append leaves nothing a reader sees. Its successor overwrites the partial bytes: Chronicle starts
 * every append at the last complete record, and clears an incomplete header it finds there.</li>
 * <li>The write lock of a dead appender: Chronicle frees it when a queue is opened (it checks whether the pid in
 * the lock is alive), and an appender that waits for the lock longer than its timeout (1.5 s as ipckit configures
 * it) frees it when the holder is dead; when the holder lives, {@link io.ipckit.durable.SharedLog} keeps waiting.
 * Pids are the only identity Chronicle records: a dead appender whose pid was recycled keeps the lock until the
 * new process with that pid ends.</li>
 * <li>Files: at open, the head of every cycle file and of the metadata file is checked, and anything Chronicle
 * throws while reading is wrapped in {@link io.ipckit.durable.CorruptLogException} naming the file; a log of
 * another ipckit layout version is refused with {@link io.ipckit.core.exceptions.IncompatibleVersionException}.</li>
 * <li>Lost data: a cycle file's header records where its last committed record is (Chronicle raises that write
 * position only after publishing the record, so a claim still open is always past it). At open, a cycle file
 * truncated before the end of that record, or holding zeros where it should be (a page lost in a crash), is
 * refused with {@link io.ipckit.durable.CorruptLogException}: Chronicle would grow it back with zeros, and its next
 * append would take an index already handed out. A hole before the last record is found by the reader that reaches
 * it (it looks, at most once a second, whether it stopped at zeros before that position) and reported the same
 * way, where Chronicle's tailer would wait there for good.</li>
 * </ul>
 */
package io.ipckit.durable;
