package org.ipc4j.bench.harness;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Command-line options of the comparison. The duration of a run is set through counts (round trips and
 * messages), never through time, so that every mechanism does exactly the same work.
 */
public final class Options {
    public List<String> mechanisms = new ArrayList<>(Mechanisms.ids());
    public List<Integer> sizes = new ArrayList<>(List.of(32, 1024, 65_536, 1 << 20));
    /** Recorded round trips per size up to 4 KiB; larger sizes get proportionally fewer (at least minRoundTrips). */
    public int roundTrips = 5_000;
    public int minRoundTrips = 100;
    /** Unrecorded round trips before measuring, as a fraction of roundTrips (at least 50). */
    public double warmupFraction = 0.4;
    /** One-way messages per size for throughput: up to this many, at most {@link #throughputBytes} bytes. */
    public int messages = 50_000;
    public long throughputBytes = 32L << 20;
    public Path html = Path.of("ipc4j-bench-report.html");
    public Path json;
    public boolean pin = true;
    /** Times the whole selection runs, in rotated order; each figure is then the median over the rounds. */
    public int rounds = 1;
    public boolean quick;
    /** Both processes measure on a virtual thread (JDK 21+), the path ipc4j takes for virtual threads. */
    public boolean virtualThreads;
    public List<String> jvmOptions = new ArrayList<>(List.of("-Xms64m", "-Xmx512m", "-XX:+UseSerialGC"));
    public String classPath = System.getProperty("ipc4j.bench.classpath", System.getProperty("java.class.path"));

    /** Usage text. */
    public static String usage() {
        return String.join("\n",
                "usage: java -jar ipc4j-bench.jar [compare] [options]      cross-process comparison (default)",
                "       java -jar ipc4j-bench.jar jmh [JMH options]         shared-memory ring microbenchmarks",
                "       java -jar ipc4j-bench.jar list                      mechanisms and whether they work here",
                "options:",
                "  --mechanisms a,b,..   subset of " + String.join(",", Mechanisms.ids()),
                "  --sizes 32,1k,64k,1m  message sizes (k = KiB, m = MiB)",
                "  --round-trips N       recorded round trips per size <= 4 KiB (default 5000; larger sizes scale down)",
                "  --messages N          one-way messages per size for throughput (default 50000, capped at 32 MiB)",
                "  --quick               a few seconds: sizes 32,4k, 300 round trips, 2000 messages",
                "  --out FILE.html       HTML report (default ipc4j-bench-report.html)",
                "  --json FILE.json      also write the raw figures as JSON",
                "  --rounds N            run the selection N times, each round in a rotated order, and report",
                "                        the median of each figure and the ring ratios of every round (default 1)",
                "  --no-pin              do not pin the two processes to separate cores",
                "  --virtual-threads     both processes send and wait on a virtual thread (JDK 21+)");
    }

    /** Parses the arguments; throws IllegalArgumentException naming a bad one. */
    public static Options parse(List<String> args) {
        Options o = new Options();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--quick" -> o.quick();
                case "--no-pin" -> o.pin = false;
                case "--virtual-threads" -> {
                    if (!VirtualThreadRunner.available()) {
                        throw new IllegalArgumentException("--virtual-threads needs JDK 21 or later; this is Java "
                                + Runtime.version().feature());
                    }
                    o.virtualThreads = true;
                }
                case "--mechanisms" -> {
                    o.mechanisms = new ArrayList<>();
                    for (String m : value(args, ++i, a).split(",")) {
                        Mechanisms.byId(m.trim());
                        o.mechanisms.add(m.trim());
                    }
                }
                case "--sizes" -> {
                    o.sizes = new ArrayList<>();
                    for (String s : value(args, ++i, a).split(",")) {
                        o.sizes.add(Format.parseSize(s));
                    }
                    o.sizes.sort(null);
                }
                case "--round-trips" -> o.roundTrips = positive(value(args, ++i, a), a);
                case "--messages" -> o.messages = positive(value(args, ++i, a), a);
                case "--rounds" -> o.rounds = positive(value(args, ++i, a), a);
                case "--out" -> o.html = Path.of(value(args, ++i, a));
                case "--json" -> o.json = Path.of(value(args, ++i, a));
                default -> throw new IllegalArgumentException("unknown option \"" + a + "\"\n" + usage());
            }
        }
        return o;
    }

    /** The quick mode: a few seconds in all, for CI and a first look. */
    public Options quick() {
        quick = true;
        sizes = new ArrayList<>(List.of(32, 4096));
        roundTrips = 300;
        minRoundTrips = 50;
        messages = 2_000;
        return this;
    }

    private static String value(List<String> args, int i, String option) {
        if (i >= args.size()) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args.get(i);
    }

    private static int positive(String text, String option) {
        try {
            int v = Integer.parseInt(text.replace("_", ""));
            if (v > 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + " needs a positive number, got \"" + text + "\"");
    }

    /** The step for one size of one mechanism: the same counts for every mechanism at that size. */
    public Step step(Mechanism m, int size) {
        int rt = size <= 4096 ? roundTrips : (int) Math.max(minRoundTrips, (long) roundTrips * 4096 / size);
        int warmup = (int) Math.max(50, rt * warmupFraction);
        int msgs = m.throughputLimit() != null ? 0
                : (int) Math.max(64, Math.min(messages, throughputBytes / Math.max(size, 1)));
        return new Step(size, warmup, rt, msgs, m.window(size));
    }
}
