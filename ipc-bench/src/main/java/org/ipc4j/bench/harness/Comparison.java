package org.ipc4j.bench.harness;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.ipc4j.bench.harness.Results.FloorRatio;
import org.ipc4j.bench.harness.Results.MechanismResult;
import org.ipc4j.bench.harness.Results.PairRatio;
import org.ipc4j.bench.harness.Results.SizeResult;

/**
 * Runs the cross-process comparison: for each mechanism, one child JVM (same java, same class path) and
 * the same steps; the parent measures. Mechanisms that cannot run here are listed with the reason.
 */
public final class Comparison {
    /** How long a step may go without progress before the watchdog ends it. */
    private static final long STALL_SECONDS = 60;

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
        long units = 0;
        for (Mechanism m : selected) {
            for (int size : sizesFor(m)) {
                Step s = options.step(m, size);
                units += s.warmup() + s.roundTrips() + s.messages() + s.throughputWarmup();
            }
        }
        int rounds = options.rounds;
        Progress progress = new Progress(log, units * rounds);
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
                            + "/" + order.size() + "] " + m.id();
                    results.add(runMechanism(m, label, progress, cpuParent, cpuChild));
                }
                results.sort(java.util.Comparator.comparingInt(r -> options.mechanisms.indexOf(r.id())));
                perRound.add(results);
            }
        } finally {
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
                    first.direction(), first.typicalUse(), first.reference(), first.skipped(), failed, sizes));
        }
        return merged;
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
            progress.note(label + ": no size it can carry among " + options.sizes);
            return result(m, null, null, sizes);
        }
        try {
            if (m instanceof NativeFloor floor) {
                for (Step step : steps) {
                    String stepLabel = label + " " + Format.size(step.size());
                    progress.update(stepLabel, 0, step.roundTrips(), true);
                    Histogram h = floor.run(step, cpuParent, cpuChild);
                    progress.stepDone(step.warmup() + step.roundTrips());
                    sizes.add(new SizeResult(step.size(), null, Percentiles.of(h), Double.NaN, Double.NaN,
                            m.throughputLimit()));
                }
            } else {
                runJvmPair(m, label, steps, sizes, progress, cpuChild);
            }
        } catch (Exception e) {
            failed = describe(e);
            progress.note(label + " FAILED: " + failed);
        }
        sizes.sort((a, b) -> Integer.compare(a.size(), b.size()));
        return result(m, null, failed, sizes);
    }

    private static String describe(Throwable e) {
        String s = e.getClass().getSimpleName() + ": " + e.getMessage();
        return e.getCause() != null && e.getCause() != e ? s + " (cause: " + e.getCause() + ")" : s;
    }

    private void runJvmPair(Mechanism m, String label, List<Step> steps, List<SizeResult> sizes, Progress progress,
            int cpuChild) throws Exception {
        ExecutorService opener = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "bench-open-" + m.id());
            t.setDaemon(true);
            return t;
        });
        AtomicBoolean finished = new AtomicBoolean();
        AtomicReference<Link> linkRef = new AtomicReference<>();
        Process child = null;
        Path ready = Files.createTempFile("ipc4j-bench-ready", ".flag");
        Files.delete(ready);
        try (Mechanism.Setup setup = m.setUp()) {
            Future<Link> parentEnd = opener.submit(setup::openParent);
            List<String> jvm = new ArrayList<>(options.jvmOptions);
            // Agrona 2 reads memory through jdk.internal.misc.Unsafe.
            jvm.add("--add-exports");
            jvm.add("java.base/jdk.internal.misc=ALL-UNNAMED");
            if (Runtime.version().feature() >= 24) {
                // JNA loads its library through System.load: JDK 24+ print a notice unless native access is on
                jvm.add("--enable-native-access=ALL-UNNAMED");
            }
            Mechanism.ChildSpec spec = new Mechanism.ChildSpec(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), jvm, options.classPath,
                    BenchChild.class.getName(),
                    List.of(m.id(), setup.childAddress(), Step.encode(steps), String.valueOf(cpuChild),
                            ready.toString()));
            child = setup.startChild(spec);
            Process started = child;
            Link link;
            try {
                link = parentEnd.get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                parentEnd.cancel(true);
                throw new IllegalStateException("the parent's end did not open within 30 s"
                        + (started.isAlive() ? "" : "; the child exited with " + started.exitValue()));
            }
            linkRef.set(link);
            awaitReady(ready, child);
            // A child that dies must not leave the parent blocked: close the parent's end, which wakes it.
            CompletableFuture<Process> exit = child.onExit();
            exit.thenRun(() -> {
                if (!finished.get() && started.exitValue() != 0) {
                    link.close();
                }
            });
            try {
                for (Step step : steps) {
                    String stepLabel = label + " " + (m.carriesData() ? Format.size(step.size()) : "signal");
                    long stepUnits = step.warmup() + step.roundTrips() + step.messages() + step.throughputWarmup();
                    Watchdog dog = new Watchdog(link, finished);
                    dog.start();
                    Driver.Measured measured;
                    try {
                        measured = Driver.parent(link, step, m.carriesData(), done -> {
                            dog.progressed();
                            progress.update(stepLabel, done, stepUnits, false);
                        });
                    } catch (Exception e) {
                        if (dog.fired) {
                            throw new IllegalStateException("no progress for " + STALL_SECONDS + " s at "
                                    + Format.size(step.size()) + " (peer stalled, or a message was lost): gave up", e);
                        }
                        throw e;
                    } finally {
                        dog.interrupt();
                    }
                    progress.stepDone(stepUnits);
                    progress.update(stepLabel, stepUnits, stepUnits, true);
                    double mps = Double.NaN;
                    double mbs = Double.NaN;
                    if (measured.messages() > 0) {
                        mps = measured.messages() / (measured.throughputNanos() / 1e9);
                        mbs = m.carriesData() ? mps * step.size() / 1e6 : Double.NaN;
                    }
                    Percentiles latency = Percentiles.of(measured.latency());
                    progress.note(String.format(java.util.Locale.ROOT, "%s: p50 %s, p99 %s, max %s%s", stepLabel,
                            Format.nanos(latency.p50()), Format.nanos(latency.p99()), Format.nanos(latency.max()),
                            Double.isNaN(mps) ? "" : ", " + Format.rate(mps)));
                    sizes.add(new SizeResult(step.size(), null, latency, mps, mbs, m.throughputLimit()));
                }
            } catch (Exception e) {
                if (!child.isAlive() && child.exitValue() != 0) {
                    throw new IllegalStateException("the child process failed (exit " + child.exitValue()
                            + ", see its stderr above): " + describe(e), e);
                }
                throw e;
            }
            finished.set(true);
            if (!child.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the child did not exit within 30 s after the last step");
            }
            if (child.exitValue() != 0) {
                throw new IllegalStateException("the child exited with " + child.exitValue());
            }
        } finally {
            finished.set(true);
            Link link = linkRef.get();
            if (link != null) {
                link.close();
            }
            if (child != null && child.isAlive()) {
                child.destroyForcibly();
                child.waitFor(10, TimeUnit.SECONDS);
            }
            opener.shutdownNow();
            Files.deleteIfExists(ready);
        }
    }

    private static void awaitReady(Path ready, Process child) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(ready)) {
            if (!child.isAlive()) {
                throw new IllegalStateException("the child exited with " + child.exitValue() + " before it was ready");
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the child did not open its end within 30 s");
            }
            Thread.sleep(1);
        }
    }

    /**
     * Closes the parent's end when a step makes no progress for {@link #STALL_SECONDS} (the driver reports
     * progress every 1024 round trips), so a lost datagram or a wedged peer cannot hang the run.
     */
    private static final class Watchdog extends Thread {
        private final Link link;
        private final AtomicBoolean finished;
        private volatile long lastProgress = System.nanoTime();
        volatile boolean fired;

        Watchdog(Link link, AtomicBoolean finished) {
            super("bench-watchdog");
            setDaemon(true);
            this.link = link;
            this.finished = finished;
        }

        void progressed() {
            lastProgress = System.nanoTime();
        }

        @Override
        public void run() {
            try {
                long left;
                while ((left = lastProgress + TimeUnit.SECONDS.toNanos(STALL_SECONDS) - System.nanoTime()) > 0) {
                    TimeUnit.NANOSECONDS.sleep(left);
                }
                if (!finished.get()) {
                    fired = true;
                    link.close();
                }
            } catch (InterruptedException e) {
                // the step ended in time
            }
        }
    }

    private static MechanismResult result(Mechanism m, String skipped, String failed, List<SizeResult> sizes) {
        return new MechanismResult(m.id(), m.title(), m.sharesData(), m.needsSync(), m.direction(), m.typicalUse(),
                m.reference(), skipped, failed, sizes);
    }
}
