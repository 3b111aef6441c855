package io.ipckit.bench.harness;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * Runs every workload on every contestant that supports it, {@code repeats} times, in round-robin order: within a
 * repeat the contestants of a workload run one after the other, and each repeat starts one contestant later, so
 * that a slow spell of the machine does not fall on the same contestant every time. A measurement that fails is
 * recorded and the run goes on; the run as a whole then fails.
 */
public final class Comparison
{
    private final List<Contestant> contestants;
    private final List<Workload> workloads;
    private final Settings settings;
    private final PrintStream progress;

    /**
     * @param contestants who to measure.
     * @param workloads   what to measure, in this order.
     * @param settings    durations, repeats and directories.
     * @param progress    where to print one line per measurement.
     */
    public Comparison(
        final List<Contestant> contestants, final List<Workload> workloads, final Settings settings,
        final PrintStream progress)
    {
        this.contestants = List.copyOf(contestants);
        this.workloads = List.copyOf(workloads);
        this.settings = settings;
        this.progress = progress;
    }

    /**
     * Durations, repeats and directories of a run.
     *
     * @param repeats     how many times each measurement runs.
     * @param warmup      warm-up per measurement.
     * @param measure     measured time per measurement.
     * @param maxMessages cap on messages per producer (0: none).
     * @param batchSize   messages per batch.
     * @param timeout     extra time a measurement may take before it is abandoned.
     * @param scratch     the scratch directory (in the run's shared directory).
     * @param results     the results directory.
     */
    public record Settings(
        int repeats, Duration warmup, Duration measure, long maxMessages, int batchSize, Duration timeout,
        Path scratch, Path results)
    {
    }

    /**
     * A measurement that could not be made or did not verify.
     *
     * @param contestant   the contestant's id.
     * @param workload     the workload.
     * @param repeat       the repeat number.
     * @param verification true when the result was wrong, false when the measurement could not run.
     * @param message      what happened.
     */
    public record Failure(String contestant, Workload workload, int repeat, boolean verification, String message)
    {
    }

    /**
     * Everything a run produced.
     *
     * @param contestants  who was measured.
     * @param measurements the verified measurements.
     * @param failures     the failed ones.
     */
    public record Results(List<Contestant> contestants, List<Measurement> measurements, List<Failure> failures)
    {
    }

    /**
     * Runs the comparison.
     *
     * @return the measurements and failures.
     */
    public Results run()
    {
        final List<Measurement> measurements = new ArrayList<>();
        final List<Failure> failures = new ArrayList<>();
        for (int repeat = 1; repeat <= settings.repeats(); repeat++)
        {
            final RunContext context = new RunContext(repeat, settings.warmup(), settings.measure(),
                settings.maxMessages(), settings.batchSize(), settings.timeout(), settings.scratch(),
                settings.results().resolve("logs"), settings.results());
            for (final Workload workload : workloads)
            {
                for (final Contestant contestant : order(workload, repeat))
                {
                    final long startNs = System.nanoTime();
                    try
                    {
                        final Measurement measurement = contestant.measure(workload, context);
                        measurements.add(measurement);
                        progress.printf("[%d/%d] %-22s %-26s %s (%.1f s)%n", repeat, settings.repeats(),
                            workload.id(), contestant.id(), workload.unit().format(measurement.value()),
                            (System.nanoTime() - startNs) / 1e9);
                    }
                    catch (final VerificationException ex)
                    {
                        failures.add(new Failure(contestant.id(), workload, repeat, true, ex.getMessage()));
                        progress.printf("[%d/%d] %-22s %-26s WRONG RESULT: %s%n", repeat, settings.repeats(),
                            workload.id(), contestant.id(), ex.getMessage());
                    }
                    catch (final RuntimeException ex)
                    {
                        failures.add(new Failure(contestant.id(), workload, repeat, false, String.valueOf(ex)));
                        progress.printf("[%d/%d] %-22s %-26s FAILED: %s%n", repeat, settings.repeats(),
                            workload.id(), contestant.id(), ex);
                    }
                }
            }
        }
        return new Results(contestants, measurements, failures);
    }

    /**
     * @param workload a workload.
     * @param repeat   the repeat number, from 1.
     * @return the contestants that run it, rotated by {@code repeat - 1}.
     */
    List<Contestant> order(final Workload workload, final int repeat)
    {
        final List<Contestant> order = new ArrayList<>(
            contestants.stream().filter((c) -> c.workloads().contains(workload)).toList());
        if (!order.isEmpty())
        {
            Collections.rotate(order, -((repeat - 1) % order.size()));
        }
        return order;
    }

    /**
     * @param contestants contestants.
     * @return the workloads at least one of them runs, in declaration order.
     */
    public static List<Workload> supported(final List<Contestant> contestants)
    {
        final Set<Workload> any = java.util.EnumSet.noneOf(Workload.class);
        contestants.forEach((c) -> any.addAll(c.workloads()));
        return List.copyOf(any);
    }
}
