package io.ipckit.bench.harness.report;

import io.ipckit.bench.harness.Comparison;
import io.ipckit.bench.harness.Contestant;
import io.ipckit.bench.harness.LatencyMetrics;
import io.ipckit.bench.harness.Measurement;
import io.ipckit.bench.harness.Unit;
import io.ipckit.bench.harness.Workload;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Writes the results of a run as Markdown: per workload, each contestant's median and range over the repeats, its
 * ratio to the floor (the raw Agrona ring) and a matrix of ratios between every pair of contestants.
 */
public final class MarkdownReport
{
    /** The id of the contestant every figure is compared with first. */
    public static final String FLOOR_ID = "raw-ring";

    private MarkdownReport()
    {
    }

    /**
     * @param results  the run's results.
     * @param header   lines describing the run (machine, JDK, settings), printed first.
     * @param notes    lines printed after the header (skipped peers and why).
     * @return the report.
     */
    public static String render(final Comparison.Results results, final List<String> header, final List<String> notes)
    {
        final StringBuilder out = new StringBuilder();
        out.append("# ipckit bench: side by side\n\n");
        header.forEach((line) -> out.append("- ").append(line).append('\n'));
        notes.forEach((line) -> out.append("- ").append(line).append('\n'));
        out.append('\n');
        out.append("Each figure is the median of the repeats, with the range (min–max) beside it. Ratios divide ")
            .append("medians, row ÷ column: for times lower is better, for rates higher is better.\n\n");
        final Map<String, String> labels = results.contestants().stream()
            .collect(Collectors.toMap(Contestant::id, Contestant::label, (a, b) -> a, LinkedHashMap::new));
        for (final Workload workload : Workload.values())
        {
            final Map<String, List<Measurement>> byContestant = new LinkedHashMap<>();
            for (final Contestant contestant : results.contestants())
            {
                final List<Measurement> repeats = results.measurements().stream()
                    .filter((m) -> m.workload() == workload && m.contestant().equals(contestant.id())).toList();
                if (!repeats.isEmpty())
                {
                    byContestant.put(contestant.id(), repeats);
                }
            }
            if (!byContestant.isEmpty())
            {
                workload(out, workload, byContestant, labels);
            }
        }
        if (!results.failures().isEmpty())
        {
            out.append("## Failures\n\n| workload | contestant | repeat | kind | what happened |\n|---|---|---|---|---|\n");
            for (final Comparison.Failure failure : results.failures())
            {
                out.append("| ").append(failure.workload().id()).append(" | ").append(failure.contestant())
                    .append(" | ").append(failure.repeat()).append(" | ")
                    .append(failure.verification() ? "**wrong result**" : "could not run").append(" | ")
                    .append(failure.message().replace('|', '/').replace('\n', ' ')).append(" |\n");
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static void workload(
        final StringBuilder out, final Workload workload, final Map<String, List<Measurement>> byContestant,
        final Map<String, String> labels)
    {
        final Unit unit = workload.unit();
        final Map<String, Summary> summaries = new LinkedHashMap<>();
        byContestant.forEach((id, repeats) -> summaries.put(id, Summary.of(repeats, Measurement::value)));
        final Summary floor = summaries.get(FLOOR_ID);
        final boolean latency = byContestant.values().stream().allMatch((r) -> r.get(0).histogram() != null);
        out.append("## ").append(workload.label()).append("\n\n");
        out.append("| contestant | ").append(latency ? "p50" : "median").append(" | range | ");
        if (latency)
        {
            out.append("p90 | p99 | p99.9 | max | ");
        }
        final String cpuKey = cpuKey(byContestant);
        out.append("÷ floor (`raw-ring`) | ").append(cpuKey != null ? "CPU per op | " : "")
            .append("repeats |\n|---|---|---|");
        out.append(latency ? "---|---|---|---|" : "").append(cpuKey != null ? "---|" : "").append("---|---|\n");
        for (final Map.Entry<String, Summary> entry : summaries.entrySet())
        {
            final Summary summary = entry.getValue();
            out.append("| ").append(labels.getOrDefault(entry.getKey(), entry.getKey())).append(" (`")
                .append(entry.getKey()).append("`) | ").append(unit.format(summary.median())).append(" | ")
                .append(unit.format(summary.min())).append(" – ").append(unit.format(summary.max())).append(" | ");
            if (latency)
            {
                for (final String percentile : LatencyMetrics.NAMES.subList(1, LatencyMetrics.NAMES.size()))
                {
                    out.append(unit.format(Summary.of(byContestant.get(entry.getKey()),
                        (m) -> m.metrics().get(percentile)).median())).append(" | ");
                }
            }
            out.append(floor == null ? "—" : ratio(summary.median(), floor.median())).append(" | ");
            if (cpuKey != null)
            {
                final List<Measurement> withCpu = byContestant.get(entry.getKey()).stream()
                    .filter((m) -> m.metrics().containsKey(cpuKey)).toList();
                out.append(withCpu.isEmpty() ? "—" : String.format(Locale.ROOT, "%.0f ns",
                    Summary.of(withCpu, (m) -> m.metrics().get(cpuKey)).median())).append(" | ");
            }
            out.append(summary.count()).append(" |\n");
        }
        out.append('\n');
        if (summaries.size() > 1)
        {
            final List<String> ids = new ArrayList<>(summaries.keySet());
            out.append("| row ÷ column |");
            ids.forEach((id) -> out.append(" `").append(id).append("` |"));
            out.append("\n|---|").append("---|".repeat(ids.size())).append('\n');
            for (final String row : ids)
            {
                out.append("| `").append(row).append("` |");
                for (final String column : ids)
                {
                    out.append(' ').append(row.equals(column) ? "1" :
                        ratio(summaries.get(row).median(), summaries.get(column).median())).append(" |");
                }
                out.append('\n');
            }
            out.append('\n');
        }
    }

    /**
     * @return the name of the CPU-per-operation metric the measurements carry ({@code cpuNsPer...}), or null.
     */
    private static String cpuKey(final Map<String, List<Measurement>> byContestant)
    {
        return byContestant.values().stream().flatMap(List::stream).flatMap((m) -> m.metrics().keySet().stream())
            .filter((key) -> key.startsWith("cpuNsPer")).findFirst().orElse(null);
    }

    private static String ratio(final double value, final double reference)
    {
        final double ratio = value / reference;
        return String.format(Locale.ROOT, ratio >= 100 ? "%.0f×" : ratio >= 10 ? "%.1f×" : "%.2f×", ratio);
    }
}
