package io.ipckit.bench.harness;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ComparisonTest
{
    @Test
    void shouldRotateTheOrderOfContestantsEveryRepeat()
    {
        final Comparison comparison = new Comparison(
            List.of(contestant("a"), contestant("b"), contestant("c"), contestant("python")),
            List.of(Workload.THROUGHPUT_1_TO_1_64B), null, System.out);

        assertEquals(List.of("a", "b", "c"), ids(comparison, 1));
        assertEquals(List.of("b", "c", "a"), ids(comparison, 2));
        assertEquals(List.of("c", "a", "b"), ids(comparison, 3));
        assertEquals(List.of("a", "b", "c"), ids(comparison, 4));
    }

    private static List<String> ids(final Comparison comparison, final int repeat)
    {
        return comparison.order(Workload.THROUGHPUT_1_TO_1_64B, repeat).stream().map(Contestant::id).toList();
    }

    private static Contestant contestant(final String id)
    {
        return new Contestant()
        {
            @Override
            public String id()
            {
                return id;
            }

            @Override
            public String label()
            {
                return id;
            }

            @Override
            public Set<Workload> workloads()
            {
                return id.equals("python") ? EnumSet.of(Workload.POOL_TASK) : EnumSet.of(Workload.THROUGHPUT_1_TO_1_64B);
            }

            @Override
            public Measurement measure(final Workload workload, final RunContext context)
            {
                throw new UnsupportedOperationException("not measured in this test");
            }
        };
    }
}
