package io.ipckit.bench.harness.messaging;

import io.ipckit.bench.harness.LatencyMetrics;
import io.ipckit.bench.harness.Measurement;
import io.ipckit.bench.harness.RunContext;
import io.ipckit.bench.harness.VerificationException;
import io.ipckit.bench.harness.Workload;
import io.ipckit.bench.harness.peers.RawRingTransport;
import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs every transport's code paths with a few hundred messages through real worker JVMs and checks that the
 * harness's verification passes on good transports and fails on a transport that corrupts or drops a message.
 * Correctness only: no figure is asserted.
 * <p>
 * Each case starts two to four JVMs, so the matrix runs each distinct code path once rather than every transport
 * times every workload: every transport's round trip and 1 to 1, the batched 1 to 1 where the transport has a batch
 * form, and 2 to 2 only where it runs code that the other workloads do not (see {@link #twoToTwoDiffers}).
 */
@Timeout(120)
class TransportContestantTest
{
    /** More than the workers' poll limit (256) and many batches (16); the rings (8 MiB) never fill either way. */
    private static final long MESSAGES = 500;
    /**
     * Sequence mode runs for a time, as the bench does, not to a count: long enough that the workers' CPU clocks,
     * which tick every 10 ms, see the measured part however fast the messages go.
     */
    private static final Duration SEQUENCE_MEASURE = Duration.ofMillis(250);

    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    static Stream<Arguments> transportsAndWorkloads()
    {
        // the low-CPU variants differ from their transports only by the wait: the round trip, which sleeps most,
        // covers them
        final Transport floor = Transports.all().get(0);
        return Transports.all().stream().flatMap((transport) -> new TransportContestant(transport).workloads().stream()
            .filter((workload) -> !transport.id().endsWith("-lowcpu") || workload == Workload.ROUND_TRIP_32B)
            .filter((workload) -> workload != Workload.THROUGHPUT_2_TO_2_64B ||
                transport.id().equals(floor.id()) || twoToTwoDiffers(transport))
            .sorted().map((workload) -> Arguments.of(transport.id(), workload)));
    }

    /**
     * Whether a transport's 2 to 2 runs code that its round trip and 1 to 1 do not: a shared channel (several
     * senders and receivers on one MPMC channel, split into consumer groups), or a round trip on one duplex
     * connection (its own {@link Transport#openInitiator}), so that two channels are never open side by side
     * otherwise. A point-to-point transport with the default round trip already opens channels 0 and 1 together
     * there, and its 2 to 2 is two of its 1 to 1 side by side: the harness's side of that (two producers, checksums
     * summed over two groups) runs on the floor (raw ring), here and in sequence mode.
     */
    static boolean twoToTwoDiffers(final Transport transport)
    {
        if (transport.sharedChannel())
        {
            return true;
        }
        try
        {
            return transport.getClass().getMethod("openInitiator", String.class, int.class, int.class, long.class)
                .getDeclaringClass() != Transport.class;
        }
        catch (final NoSuchMethodException ex)
        {
            throw new AssertionError(ex);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Workload.class, names = {"ROUND_TRIP_32B", "THROUGHPUT_1_TO_1_64B", "THROUGHPUT_2_TO_2_64B"})
    void shouldVerifyInSequenceModeAndReportCpuPerMessage(final Workload workload) throws Exception
    {
        final TransportContestant contestant = new TransportContestant(new RawRingTransport(), CheckMode.SEQUENCE);

        final Measurement measurement = contestant.measure(workload, context(SEQUENCE_MEASURE, 0));

        assertTrue(measurement.metrics().get("messages") > 0, measurement.metrics().toString());
        assertTrue(measurement.metrics().get(TransportContestant.CPU_NS_PER_MSG) > 0, measurement.metrics().toString());
        assertLeftNothingBehind();
    }

    @Test
    void shouldFailVerificationInSequenceModeWhenATransportDropsAMessage() throws Exception
    {
        final TransportContestant contestant =
            new TransportContestant(new FaultyTransport.Dropping(), CheckMode.SEQUENCE);

        final VerificationException ex = assertThrows(VerificationException.class,
            () -> contestant.measure(Workload.THROUGHPUT_1_TO_1_64B, context()));

        assertTrue(ex.getMessage().contains("lost, duplicated or reordered"), ex.getMessage());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("transportsAndWorkloads")
    void shouldDeliverAndVerifyEveryMessage(final String transportId, final Workload workload) throws Exception
    {
        final Transport transport = Transports.byId(transportId);
        assumeTrue(transport.twoToTwo() || VethPair.refusal() == null, () -> "skipped: " + VethPair.refusal());
        final TransportContestant contestant = new TransportContestant(transport);

        final Measurement measurement = contestant.measure(workload, context());

        final long producers = workload == Workload.THROUGHPUT_2_TO_2_64B ? 2 : 1;
        assertEquals(MESSAGES * producers, measurement.metrics().get("messages"));
        assertTrue(measurement.value() > 0, "a positive figure");
        if (workload == Workload.ROUND_TRIP_32B)
        {
            assertEquals(MESSAGES, measurement.histogram().getTotalCount());
            assertTrue(measurement.metrics().keySet().containsAll(LatencyMetrics.NAMES));
        }
        assertLeftNothingBehind();
    }

    @Test
    void shouldFailVerificationWhenATransportCorruptsAMessage() throws Exception
    {
        final TransportContestant contestant = new TransportContestant(new FaultyTransport.Corrupting());

        final VerificationException ex = assertThrows(VerificationException.class,
            () -> contestant.measure(Workload.THROUGHPUT_1_TO_1_64B, context()));

        assertTrue(ex.getMessage().contains("corrupt word"), ex.getMessage());
        assertLeftNothingBehind();
    }

    @Test
    void shouldFailVerificationWhenATransportDropsAMessage() throws Exception
    {
        final TransportContestant contestant = new TransportContestant(new FaultyTransport.Dropping());

        final VerificationException ex = assertThrows(VerificationException.class,
            () -> contestant.measure(Workload.THROUGHPUT_1_TO_1_64B, context()));

        assertTrue(ex.getMessage().contains("lost, duplicated or reordered"), ex.getMessage());
    }

    private RunContext context() throws Exception
    {
        return context(Duration.ZERO, MESSAGES);
    }

    private RunContext context(final Duration measure, final long maxMessages) throws Exception
    {
        return new RunContext(1, Duration.ZERO, measure, maxMessages, 16, Duration.ofSeconds(60),
            Files.createDirectories(dir.path().resolve("scratch")), dir.path().resolve("logs"),
            Files.createDirectories(dir.path().resolve("results")));
    }

    private void assertLeftNothingBehind() throws Exception
    {
        final List<String> left;
        try (Stream<java.nio.file.Path> files = Files.list(dir.path().resolve("scratch")))
        {
            left = files.map((p) -> p.getFileName().toString()).filter((n) -> !n.endsWith(".result"))
                .flatMap((n) -> listRecursively(dir.path().resolve("scratch").resolve(n))).toList();
        }
        assertTrue(left.isEmpty(), "files left in the scratch directory: " + left);
        assertFalse(dir.list().stream().anyMatch((n) -> n.startsWith("bench-")), "resources left: " + dir.list());
        final java.nio.file.Path namespaces = java.nio.file.Path.of("/var/run/netns");
        if (Files.isDirectory(namespaces))
        {
            try (Stream<java.nio.file.Path> files = Files.list(namespaces))
            {
                final List<String> leftNamespaces = files.map((p) -> p.getFileName().toString())
                    .filter((n) -> n.startsWith("ipkbench-")).toList();
                assertTrue(leftNamespaces.isEmpty(), "network namespaces left: " + leftNamespaces);
            }
        }
    }

    private static Stream<String> listRecursively(final java.nio.file.Path path)
    {
        try (Stream<java.nio.file.Path> walk = Files.walk(path))
        {
            return walk.filter(Files::isRegularFile).map(java.nio.file.Path::toString).toList().stream();
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }
}
