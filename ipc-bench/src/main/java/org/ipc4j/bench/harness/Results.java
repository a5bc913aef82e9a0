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
            String typicalUse, boolean reference, String skipped, String failed, List<SizeResult> sizes,
            IdleResult idle) {

        public MechanismResult {
            sizes = List.copyOf(sizes);
        }

        /** A result without an idle phase. */
        public MechanismResult(String id, String title, String sharesData, String needsSync, String direction,
                String typicalUse, boolean reference, String skipped, String failed, List<SizeResult> sizes) {
            this(id, title, sharesData, needsSync, direction, typicalUse, reference, skipped, failed, sizes, null);
        }

        /** The same with an idle phase's result. */
        public MechanismResult withIdle(IdleResult result) {
            return new MechanismResult(id, title, sharesData, needsSync, direction, typicalUse, reference, skipped,
                    failed, sizes, result);
        }

        /** The display name (short, for tables and legends). */
        public String name() {
            return Display.name(id, title);
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
     * One pause of the idle phase: round trips each timed after the pause.
     *
     * @param millis the pause before each round trip
     * @param latency the round trips after the pause
     */
    public record GapResult(int millis, Percentiles latency) {
    }

    /**
     * What waiting costs: the idle end's CPU and the first round trip after a pause (see {@link Idle}).
     *
     * @param skipped why there is no idle phase (a C floor), or null
     * @param threadPercent CPU of the idle waiting thread in % of one core; NaN when not measured
     * @param processPercent CPU of the whole waiting process (JIT, GC included) in % of one core; NaN if unknown
     * @param waitMillis how long the measured wait lasted
     * @param gaps one entry per pause, shortest first
     */
    public record IdleResult(String skipped, double threadPercent, double processPercent, double waitMillis,
            List<GapResult> gaps) {
        public IdleResult {
            gaps = List.copyOf(gaps);
        }

        /** The result after a pause of {@code millis}, or null. */
        public GapResult gap(int millis) {
            return gaps.stream().filter(g -> g.millis() == millis).findFirst().orElse(null);
        }

        /** No idle phase, and why. */
        public static IdleResult skipped(String why) {
            return new IdleResult(why, Double.NaN, Double.NaN, Double.NaN, List.of());
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
