package org.ipc4j.bench.harness;

import java.util.List;

/** What a comparison run produced: plain data, rendered by {@link ConsoleReport} and {@link HtmlReport}. */
public final class Results {
    private Results() {
    }

    /**
     * One message size of one mechanism.
     *
     * @param size bytes per message (0 for signal-only mechanisms)
     * @param skipped why this size did not run, or null
     * @param latency round-trip latency, or null when skipped/failed
     * @param messagesPerSecond one-way throughput, NaN when not measured
     * @param megabytesPerSecond one-way payload throughput in 10^6 B/s, NaN when not measured or no data
     * @param throughputSkipped why throughput was not measured, or null
     */
    public record SizeResult(int size, String skipped, Percentiles latency, double messagesPerSecond,
            double megabytesPerSecond, String throughputSkipped) {

        public boolean ran() {
            return skipped == null && latency != null;
        }
    }

    /**
     * One mechanism.
     *
     * @param skipped why it did not run at all (unavailable here), or null
     * @param failed what went wrong during the run, or null
     */
    public record MechanismResult(String id, String title, String sharesData, String needsSync, String direction,
            String typicalUse, boolean reference, String skipped, String failed, List<SizeResult> sizes) {

        public MechanismResult {
            sizes = List.copyOf(sizes);
        }

        /** The result at a size, or null. */
        public SizeResult at(int size) {
            return sizes.stream().filter(s -> s.size() == size).findFirst().orElse(null);
        }

        /** The first size that ran (signal-only mechanisms have one, at 0). */
        public SizeResult first() {
            return sizes.stream().filter(SizeResult::ran).findFirst().orElse(null);
        }
    }

    /**
     * A JNA path next to its C floor: p50 of each at the smallest common size, and the overhead.
     *
     * @param overheadPercent (java / c - 1) * 100
     */
    public record FloorRatio(String java, String c, int size, long javaP50, long cP50, double overheadPercent) {
    }

    /**
     * The whole run.
     *
     * @param pinning how the two processes were placed on cores (said in the report either way)
     * @param command the command line that produced it
     */
    public record Run(Machine machine, String pinning, String command, String startedAt, double seconds,
            List<Integer> sizes, List<MechanismResult> mechanisms, List<FloorRatio> floors) {
        public Run {
            sizes = List.copyOf(sizes);
            mechanisms = List.copyOf(mechanisms);
            floors = List.copyOf(floors);
        }

        public MechanismResult mechanism(String id) {
            return mechanisms.stream().filter(m -> m.id().equals(id)).findFirst().orElse(null);
        }
    }
}
