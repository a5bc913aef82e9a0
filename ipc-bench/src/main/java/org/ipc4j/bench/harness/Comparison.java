package org.ipc4j.bench.harness;

import java.io.PrintStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.ipc4j.bench.harness.Results.FloorRatio;
import org.ipc4j.bench.harness.Results.GapResult;
import org.ipc4j.bench.harness.Results.IdleResult;
import org.ipc4j.bench.harness.Results.MechanismResult;
import org.ipc4j.bench.harness.Results.PairRatio;
import org.ipc4j.bench.harness.Results.SizeResult;

/**
 * Runs the cross-process comparison: for each mechanism, one child JVM (same java, same class path) and
 * the same steps; the parent measures. Mechanisms that cannot run here are listed with the reason.
 */
public final class Comparison {
    private final Options options;
    private final PrintStream log;

    public Comparison(Options options, PrintStream log) {
        this.options = options;
        this.log = log;
    }

    /** Runs everything selected and returns the results (nothing written yet). */
    public Results.Run run(String command) {
        Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        long t0 = System.nanoTime();
        List<Mechanism> selected = new ArrayList<>();
        for (String id : options.mechanisms) {
            selected.add(Mechanisms.byId(id));
        }
        // Described before pinning: afterwards this process sees one CPU.
        Machine machine = Machine.current();
        List<Integer> originalCpus = Pinning.allowedCpus();
        int cpuParent = -1;
        int cpuChild = -1;
        String pinning;
        String why = options.pin ? Pinning.unavailableReason() : "disabled with --no-pin";
        if (why == null && Pinning.pinSelf(String.valueOf(originalCpus.get(0)))) {
            cpuParent = originalCpus.get(0);
            cpuChild = originalCpus.get(1);
            pinning = "applied: parent on CPU " + cpuParent + ", child on CPU " + cpuChild + " (taskset)";
        } else {
            pinning = "not applied: " + (why != null ? why : "taskset failed");
        }
        long weight = 0;
        for (Mechanism m : selected) {
            weight += weight(m);
        }
        int rounds = options.rounds;
        Progress progress = new Progress(log, weight * rounds, options.progressLine);
        progress.note("machine: " + machine.describe());
        progress.note("pinning " + pinning);
        List<List<MechanismResult>> perRound = new ArrayList<>();
        try {
            for (int round = 0; round < rounds; round++) {
                // Rotate the order so that no mechanism always runs first (cold machine) or right after
                // another one's child exits.
                List<Mechanism> order = new ArrayList<>(selected);
                java.util.Collections.rotate(order, -round);
                List<MechanismResult> results = new ArrayList<>();
                for (int i = 0; i < order.size(); i++) {
                    Mechanism m = order.get(i);
                    String label = (rounds > 1 ? "round " + (round + 1) + "/" + rounds + " " : "") + "[" + (i + 1)
                            + "/" + order.size() + "] " + Display.name(m.id(), m.title());
                    results.add(runMechanism(m, label, progress, cpuParent, cpuChild));
                }
                results.sort(java.util.Comparator.comparingInt(r -> options.mechanisms.indexOf(r.id())));
                perRound.add(results);
            }
        } finally {
            progress.finish();
            if (cpuParent >= 0 && !originalCpus.isEmpty()) {
                Pinning.pinSelf(Pinning.format(originalCpus));
            }
        }
        List<MechanismResult> results = merge(perRound);
        List<FloorRatio> floors = new ArrayList<>();
        addFloor(results, floors, "mq", "mq-c");
        addFloor(results, floors, "sem", "sem-c");
        List<PairRatio> pairs = new ArrayList<>();
        addPair(perRound, pairs, "shm", "agrona");
        addPair(perRound, pairs, "shm-spin", "agrona");
        addPair(perRound, pairs, "shm", "cacheline");
        return new Results.Run(machine, pinning, command, started.toString(), (System.nanoTime() - t0) / 1e9,
                options.sizes, results, floors, rounds, pairs);
    }

    /** One result per mechanism: the single round's, or per size the median of the rounds' figures. */
    static List<MechanismResult> merge(List<List<MechanismResult>> perRound) {
        if (perRound.size() == 1) {
            return perRound.get(0);
        }
        List<MechanismResult> merged = new ArrayList<>();
        for (MechanismResult first : perRound.get(0)) {
            List<MechanismResult> all = perRound.stream()
                    .map(round -> round.stream().filter(r -> r.id().equals(first.id())).findFirst().orElseThrow())
                    .toList();
            String failed = all.stream().map(MechanismResult::failed).filter(java.util.Objects::nonNull)
                    .findFirst().orElse(null);
            List<SizeResult> sizes = new ArrayList<>();
            for (SizeResult s : first.sizes()) {
                List<SizeResult> same = all.stream().map(r -> r.at(s.size())).toList();
                if (!s.ran() || same.stream().anyMatch(x -> x == null || !x.ran())) {
                    sizes.add(s.ran() ? new SizeResult(s.size(), "did not run in every round", null, Double.NaN,
                            Double.NaN, null) : s);
                    continue;
                }
                sizes.add(new SizeResult(s.size(), null,
                        Percentiles.medianOf(same.stream().map(SizeResult::latency).toList()),
                        Percentiles.median(same.stream().mapToDouble(SizeResult::messagesPerSecond).toArray()),
                        Percentiles.median(same.stream().mapToDouble(SizeResult::megabytesPerSecond).toArray()),
                        s.throughputSkipped()));
            }
            merged.add(new MechanismResult(first.id(), first.title(), first.sharesData(), first.needsSync(),
                    first.direction(), first.typicalUse(), first.reference(), first.skipped(), failed, sizes,
                    mergeIdle(all.stream().map(MechanismResult::idle).toList())));
        }
        return merged;
    }

    /** The idle phases of several rounds as one: medians of the CPU shares and of the gaps' percentiles. */
    static IdleResult mergeIdle(List<IdleResult> rounds) {
        if (rounds.stream().anyMatch(r -> r == null)) {
            return null;
        }
        IdleResult first = rounds.get(0);
        if (rounds.size() == 1 || first.skipped() != null) {
            return first;
        }
        List<GapResult> gaps = new ArrayList<>();
        for (GapResult g : first.gaps()) {
            List<Percentiles> same = new ArrayList<>();
            for (IdleResult r : rounds) {
                GapResult other = r.gap(g.millis());
                if (other == null) {
                    return first;
                }
                same.add(other.latency());
            }
            gaps.add(new GapResult(g.millis(), Percentiles.medianOf(same)));
        }
        return new IdleResult(null, Percentiles.median(rounds.stream().mapToDouble(IdleResult::threadPercent).toArray()),
                Percentiles.median(rounds.stream().mapToDouble(IdleResult::processPercent).toArray()),
                Percentiles.median(rounds.stream().mapToDouble(IdleResult::waitMillis).toArray()), gaps);
    }

    /** Per-round ratios of a ring to a reference, at the smallest size both ran in every round. */
    static void addPair(List<List<MechanismResult>> perRound, List<PairRatio> pairs, String id, String referenceId) {
        int size = -1;
        List<Double> p50 = new ArrayList<>();
        List<Double> p99 = new ArrayList<>();
        List<Double> throughput = new ArrayList<>();
        for (List<MechanismResult> round : perRound) {
            MechanismResult m = round.stream().filter(r -> r.id().equals(id)).findFirst().orElse(null);
            MechanismResult ref = round.stream().filter(r -> r.id().equals(referenceId)).findFirst().orElse(null);
            if (m == null || ref == null) {
                return;
            }
            SizeResult ms = null;
            SizeResult rs = null;
            for (SizeResult candidate : m.sizes()) {
                SizeResult other = ref.carriesNoData() ? ref.first() : ref.at(candidate.size());
                if (candidate.ran() && other != null && other.ran() && (size < 0 || candidate.size() == size)) {
                    ms = candidate;
                    rs = other;
                    break;
                }
            }
            if (ms == null) {
                return;
            }
            size = ms.size();
            p50.add(ms.latency().p50() / (double) rs.latency().p50());
            p99.add(ms.latency().p99() / (double) rs.latency().p99());
            if (!Double.isNaN(rs.messagesPerSecond()) && !Double.isNaN(ms.messagesPerSecond())) {
                throughput.add(ms.messagesPerSecond() / rs.messagesPerSecond());
            }
        }
        if (size >= 0) {
            pairs.add(new PairRatio(id, referenceId, size, p50, p99, throughput));
        }
    }

    private static void addFloor(List<MechanismResult> results, List<FloorRatio> floors, String javaId, String cId) {
        MechanismResult j = results.stream().filter(r -> r.id().equals(javaId)).findFirst().orElse(null);
        MechanismResult c = results.stream().filter(r -> r.id().equals(cId)).findFirst().orElse(null);
        if (j == null || c == null) {
            return;
        }
        for (SizeResult js : j.sizes()) {
            SizeResult cs = c.at(js.size());
            if (js.ran() && cs != null && cs.ran()) {
                long jp = js.latency().p50();
                long cp = cs.latency().p50();
                floors.add(new FloorRatio(javaId, cId, js.size(), jp, cp, (jp / (double) cp - 1) * 100));
                return;
            }
        }
    }

    /** The estimated cost of a mechanism's run, for the progress: see {@link Progress}. */
    long weight(Mechanism m) {
        long w = 0;
        List<Integer> sizes = sizesFor(m);
        for (int i = 0; i < sizes.size(); i++) {
            Step s = options.step(m, sizes.get(i));
            w += Progress.weight(i == 0 ? options.firstStep(s) : s);
        }
        if (!(m instanceof NativeFloor)) {
            w += Progress.START + (options.idle == null ? 0 : Progress.weight(options.idle));
        }
        return w;
    }

    /** The sizes a mechanism runs: its data sizes, or only 0 when it carries no data. */
    List<Integer> sizesFor(Mechanism m) {
        if (!m.carriesData()) {
            return List.of(0);
        }
        List<Integer> sizes = new ArrayList<>();
        for (int size : options.sizes) {
            if (m.sizeLimit(size) == null) {
                sizes.add(size);
            }
        }
        return sizes;
    }

    private MechanismResult runMechanism(Mechanism m, String label, Progress progress, int cpuParent, int cpuChild) {
        String unavailable;
        try {
            unavailable = m.unavailableReason();
        } catch (RuntimeException e) {
            unavailable = "capability probe failed: " + e;
        }
        if (unavailable != null) {
            progress.add(weight(m));
            progress.note(label + " skipped: " + unavailable);
            return result(m, unavailable, null, List.of());
        }
        List<SizeResult> sizes = new ArrayList<>();
        List<Step> steps = new ArrayList<>();
        if (m.carriesData()) {
            for (int size : options.sizes) {
                String limit = m.sizeLimit(size);
                if (limit != null) {
                    sizes.add(new SizeResult(size, "n/a: " + limit, null, Double.NaN, Double.NaN, null));
                } else {
                    steps.add(options.step(m, size));
                }
            }
        } else {
            steps.add(options.step(m, 0));
        }
        String failed = null;
        if (steps.isEmpty()) {
            progress.add(weight(m));
            progress.note(label + ": no size it can carry among " + options.sizes);
            return result(m, null, null, sizes);
        }
        // The first step also warms the JIT up in both JVMs (its extra warm-up is not recorded).
        steps.set(0, options.firstStep(steps.get(0)));
        IdleResult idle = null;
        try {
            if (m instanceof NativeFloor floor) {
                idle = IdleResult.skipped("a C floor measures round trips only");
                for (Step step : steps) {
                    String stepLabel = label + " " + Format.size(step.size());
                    progress.begin(stepLabel, Progress.weight(step));
                    Histogram h = floor.run(step, cpuParent, cpuChild);
                    progress.end();
                    sizes.add(new SizeResult(step.size(), null, Percentiles.of(h), Double.NaN, Double.NaN,
                            m.throughputLimit()));
                }
            } else {
                progress.add(Progress.START);
                idle = JvmPair.run(options, m, label, steps, sizes, progress, cpuChild);
            }
        } catch (Exception e) {
            failed = JvmPair.describe(e);
            progress.note(label + " FAILED: " + failed);
        }
        sizes.sort((a, b) -> Integer.compare(a.size(), b.size()));
        return result(m, null, failed, sizes).withIdle(idle);
    }

    private static MechanismResult result(Mechanism m, String skipped, String failed, List<SizeResult> sizes) {
        return new MechanismResult(m.id(), m.title(), m.sharesData(), m.needsSync(), m.direction(), m.typicalUse(),
                m.reference(), skipped, failed, sizes);
    }
}
