package org.ipc4j.bench.harness;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.ipc4j.bench.harness.Results.GapResult;
import org.ipc4j.bench.harness.Results.IdleResult;
import org.ipc4j.bench.harness.Results.SizeResult;

/**
 * One mechanism's run between this process (the parent, which measures) and one child JVM started with
 * the same java and class path: the steps, then the idle phase. A watchdog ends a step that makes no
 * progress, so a lost datagram or a wedged peer cannot hang the run.
 */
final class JvmPair {
    /** How long a step may go without progress before the watchdog ends it. */
    static final long STALL_SECONDS = 60;

    private JvmPair() {
    }

    static String describe(Throwable e) {
        String s = e.getClass().getSimpleName() + ": " + e.getMessage();
        return e.getCause() != null && e.getCause() != e ? s + " (cause: " + e.getCause() + ")" : s;
    }

    /**
     * Runs the steps, then the idle phase (when the options ask for one), between this process and one child
     * JVM; adds a result per step to {@code sizes} and returns the idle phase's result (null without one).
     */
    static IdleResult run(Options options, Mechanism m, String label, List<Step> steps, List<SizeResult> sizes,
            Progress progress, int cpuChild) throws Exception {
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
        Path idleFile = Files.createTempFile("ipc4j-bench-idle", ".txt");
        Idle idle = options.idle;
        IdleResult idleResult = null;
        try (Mechanism.Setup setup = m.setUp()) {
            Future<Link> parentEnd = opener.submit(setup::openParent);
            List<String> jvm = new ArrayList<>(options.jvmOptions);
            // Agrona 2 reads memory through jdk.internal.misc.Unsafe.
            jvm.add("--add-exports");
            jvm.add("java.base/jdk.internal.misc=ALL-UNNAMED");
            if (Runtime.version().feature() >= 22) {
                // JNA (mq, sem, fifo) loads its native library: allowed, rather than warned about per child.
                jvm.add("--enable-native-access=ALL-UNNAMED");
            }
            if (options.virtualThreads) {
                jvm.add("-D" + VirtualThreadRunner.PROPERTY + "=true");
            }
            if (Runtime.version().feature() >= 24) {
                // Chronicle Bytes (under ipc-shm) uses sun.misc.Unsafe, which JDK 24+ warns about by default:
                // allow it explicitly rather than print the warning in every child.
                jvm.add("--sun-misc-unsafe-memory-access=allow");
            }
            Mechanism.ChildSpec spec = new Mechanism.ChildSpec(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), jvm, options.classPath,
                    BenchChild.class.getName(),
                    List.of(m.id(), setup.childAddress(), Step.encode(steps), String.valueOf(cpuChild),
                            ready.toString(), idle == null ? "-" : idle.encode(), idleFile.toString()));
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
                    progress.begin(stepLabel, Progress.weight(step));
                    Watchdog dog = new Watchdog(link, finished);
                    dog.start();
                    Driver.Measured measured;
                    try {
                        Callable<Driver.Measured> measure = () -> Driver.parent(link, step, m.carriesData(), done -> {
                            dog.progressed();
                            progress.at(done, stepUnits);
                        });
                        measured = options.virtualThreads ? VirtualThreadRunner.call(measure) : measure.call();
                    } catch (Exception e) {
                        if (dog.fired) {
                            throw new IllegalStateException("no progress for " + STALL_SECONDS + " s at "
                                    + Format.size(step.size()) + " (peer stalled, or a message was lost): gave up", e);
                        }
                        throw e;
                    } finally {
                        dog.interrupt();
                    }
                    progress.end();
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
                if (idle != null) {
                    Callable<IdleResult> phase = () -> idlePhase(idle, link, steps.get(0).size(), label, progress,
                            finished, idleFile);
                    idleResult = options.virtualThreads ? VirtualThreadRunner.call(phase) : phase.call();
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
            Files.deleteIfExists(idleFile);
        }
        return idleResult;
    }

    private static IdleResult idlePhase(Idle idle, Link link, int size, String label, Progress progress,
            AtomicBoolean finished, Path idleFile) throws Exception {
        String stepLabel = label + " idle";
        progress.begin(stepLabel, Progress.weight(idle));
        int samples = 1 + idle.gapCounts().stream().mapToInt(Integer::intValue).sum();
        long[] done = {0};
        Watchdog dog = new Watchdog(link, finished);
        dog.start();
        List<Histogram> gaps;
        try {
            gaps = idle.parent(link, size, () -> {
                dog.progressed();
                done[0]++;
                progress.at(done[0], samples);
            });
        } catch (Exception e) {
            if (dog.fired) {
                throw new IllegalStateException("no progress for " + STALL_SECONDS + " s in the idle phase: gave up", e);
            }
            throw e;
        } finally {
            dog.interrupt();
        }
        progress.end();
        // The child wrote its cost before it echoed the message that ended its idle wait.
        Idle.Cost cost = Idle.readCost(idleFile);
        List<GapResult> results = new ArrayList<>();
        for (int g = 0; g < gaps.size(); g++) {
            results.add(new GapResult(idle.gapMillis().get(g), Percentiles.of(gaps.get(g))));
        }
        IdleResult r;
        if (cost == null) {
            r = new IdleResult("the child did not report its CPU time", Double.NaN, Double.NaN, Double.NaN, results);
        } else if (cost.wallNanos() < idle.idleMillis() * 500_000L) {
            // The child reached its receive late (descheduled on a busy machine): the message was already
            // there or nearly, so the ratio would be the cost of a receive, not of waiting. Not a figure.
            progress.note(stepLabel + ": the idle wait lasted only " + Format.nanos(cost.wallNanos()) + " of "
                    + idle.idleMillis() + " ms (the machine is busy): no idle CPU figure");
            r = new IdleResult(null, Double.NaN, Double.NaN, cost.wallNanos() / 1e6, results);
        } else {
            r = new IdleResult(null, cost.threadPercent(), cost.processPercent(), cost.wallNanos() / 1e6, results);
        }
        StringBuilder note = new StringBuilder(stepLabel).append(": waiting thread ")
                .append(Idle.percent(r.threadPercent())).append(" of a core");
        for (GapResult g : results) {
            note.append(", after ").append(g.millis()).append(" ms p50 ").append(Format.nanos(g.latency().p50()));
        }
        progress.note(note.toString());
        return r;
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

}
