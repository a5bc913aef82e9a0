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

        /** Whether this mechanism carries no data (it ran the signal step only, at size 0). */
        public boolean carriesNoData() {
            return sizes.size() == 1 && sizes.get(0).size() == 0;
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
     * A ring against a reference at one size, round by round (the ratios of figures measured in the same
     * round, minutes apart at most, so machine drift between rounds cancels out).
     *
     * @param p50 per round: mechanism p50 / reference p50 (below 1: the mechanism is faster)
     * @param p99 per round: mechanism p99 / reference p99
     * @param throughput per round: mechanism msgs/s / reference msgs/s (above 1: faster); empty when the
     *        reference has no throughput
     */
    public record PairRatio(String id, String reference, int size, List<Double> p50, List<Double> p99,
            List<Double> throughput) {
        public PairRatio {
            p50 = List.copyOf(p50);
            p99 = List.copyOf(p99);
            throughput = List.copyOf(throughput);
        }
    }

    /**
     * The whole run.
     *
     * @param pinning how the two processes were placed on cores (said in the report either way)
     * @param command the command line that produced it
     * @param rounds how many times the selection ran; with more than one, each figure is the median over
     *        the rounds (count: the sum; min and max: over all rounds)
     * @param pairs ring-against-reference ratios, per round
     */
    public record Run(Machine machine, String pinning, String command, String startedAt, double seconds,
            List<Integer> sizes, List<MechanismResult> mechanisms, List<FloorRatio> floors, int rounds,
            List<PairRatio> pairs) {
        public Run {
            sizes = List.copyOf(sizes);
            mechanisms = List.copyOf(mechanisms);
            floors = List.copyOf(floors);
            pairs = List.copyOf(pairs);
        }

        /** A run of one round with no ring ratios. */
        public Run(Machine machine, String pinning, String command, String startedAt, double seconds,
                List<Integer> sizes, List<MechanismResult> mechanisms, List<FloorRatio> floors) {
            this(machine, pinning, command, startedAt, seconds, sizes, mechanisms, floors, 1, List.of());
        }

        public MechanismResult mechanism(String id) {
            return mechanisms.stream().filter(m -> m.id().equals(id)).findFirst().orElse(null);
        }
    }
}
