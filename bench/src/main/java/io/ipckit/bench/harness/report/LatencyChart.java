package io.ipckit.bench.harness.report;

import io.ipckit.bench.harness.LatencyMetrics;
import io.ipckit.bench.harness.Measurement;
import io.ipckit.bench.harness.Workload;
import io.ipckit.core.exceptions.IpcException;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries.CategorySeriesRenderStyle;
import org.knowm.xchart.style.Styler;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Draws the round-trip percentiles (median over repeats) of every contestant as lines on a logarithmic
 * microsecond axis, into a PNG, with XChart (headless).
 */
public final class LatencyChart
{
    private static final int WIDTH = 1400;
    private static final int HEIGHT = 800;

    private LatencyChart()
    {
    }

    /**
     * @param measurements all measurements of the run; only the round trips are drawn.
     * @param labels       contestant ids to names.
     * @param file         the PNG to write (".png" is added by XChart when missing).
     * @return true when a chart was written, false when there was no round trip to draw.
     */
    public static boolean write(final List<Measurement> measurements, final Map<String, String> labels, final Path file)
    {
        System.setProperty("java.awt.headless", "true");
        final Map<String, List<Measurement>> byContestant = new LinkedHashMap<>();
        for (final Measurement measurement : measurements)
        {
            if (measurement.workload() == Workload.ROUND_TRIP_32B && measurement.histogram() != null)
            {
                byContestant.computeIfAbsent(measurement.contestant(), (k) -> new ArrayList<>()).add(measurement);
            }
        }
        if (byContestant.isEmpty())
        {
            return false;
        }
        final CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
            .title(Workload.ROUND_TRIP_32B.label() + " — percentiles, median of repeats")
            .xAxisTitle("percentile").yAxisTitle("round trip (µs, log scale)").build();
        // lines, not bars: XChart's bars start at zero, which a logarithmic axis cannot show
        chart.getStyler().setDefaultSeriesRenderStyle(CategorySeriesRenderStyle.Line);
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setOverlapped(true);
        chart.getStyler().setDecimalPattern("#,##0.###");
        for (final Map.Entry<String, List<Measurement>> entry : byContestant.entrySet())
        {
            final List<Double> micros = new ArrayList<>();
            for (final String percentile : LatencyMetrics.NAMES)
            {
                micros.add(Summary.of(entry.getValue(), (m) -> m.metrics().get(percentile)).median() / 1000.0);
            }
            if (micros.stream().allMatch((v) -> v > 0))
            {
                // a logarithmic axis cannot show zero, which only an empty distribution gives
                chart.addSeries(labels.getOrDefault(entry.getKey(), entry.getKey()), LatencyMetrics.NAMES, micros);
            }
        }
        if (chart.getSeriesMap().isEmpty())
        {
            return false;
        }
        try
        {
            BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
            return true;
        }
        catch (final IOException ex)
        {
            throw new IpcException("cannot write the chart " + file + ": " + ex, ex);
        }
    }
}
