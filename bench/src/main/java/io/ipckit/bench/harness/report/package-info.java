/**
 * Output of a run: the Markdown report with medians, ranges and ratios, HdrHistogram {@code .hgrm} files and the
 * PNG chart of round-trip percentiles.
 */
package io.ipckit.bench.harness.report;
