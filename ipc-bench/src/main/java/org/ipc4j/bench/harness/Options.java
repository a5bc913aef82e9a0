package org.ipc4j.bench.harness;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Command-line options of the comparison, parsed with picocli. The duration of a run is set through
 * counts (round trips and messages), never through time, so that every mechanism does exactly the same
 * work.
 */
@Command(name = "java -jar ipc4j-bench.jar", sortOptions = false, usageHelpWidth = 100,
        customSynopsis = {
            "java -jar ipc4j-bench.jar [compare] [options]   cross-process comparison (the default)",
            "       java -jar ipc4j-bench.jar jmh [JMH options]      shared-memory ring microbenchmarks (jmh -h)",
            "       java -jar ipc4j-bench.jar list                   mechanisms and whether they work here",
            "       java -jar ipc4j-bench.jar help                   this text"},
        description = {"", "Measures every mechanism between two processes on this machine, recommends one per "
            + "need from the figures, prints a summary and writes a self-contained HTML report."},
        optionListHeading = "%noptions:%n")
public final class Options {
    /** The report a full run writes unless told otherwise. */
    public static final Path FULL_REPORT = Path.of("ipc4j-bench-report.html");
    /** The report a {@code --quick} run writes unless told otherwise: never the full run's. */
    public static final Path QUICK_REPORT = Path.of("ipc4j-bench-quick.html");

    @Option(names = "--mechanisms", split = ",", paramLabel = "ID,ID,..", hideParamSyntax = true, converter = MechanismId.class,
            description = "a subset of: ${sys:ipc4j.bench.ids}")
    public List<String> mechanisms = new ArrayList<>(Mechanisms.ids());

    @Option(names = "--sizes", split = ",", paramLabel = "SIZE,SIZE,..", hideParamSyntax = true, converter = Size.class,
            description = "message sizes (k = KiB, m = MiB; default 32,1k,64k,1m)")
    public List<Integer> sizes = new ArrayList<>(List.of(32, 1024, 65_536, 1 << 20));

    /** Recorded round trips per size up to 4 KiB; larger sizes get proportionally fewer (at least minRoundTrips). */
    @Option(names = "--round-trips", paramLabel = "N", converter = Positive.class,
            description = "recorded round trips per size up to 4 KiB (default 5000; larger sizes: N * 4096 / size, "
                + "at least 100)")
    public int roundTrips = 5_000;

    /** Unrecorded round trips before the first size of each mechanism: the JIT warm-up of both JVMs. */
    @Option(names = "--warmup", paramLabel = "N", converter = Positive.class,
            description = "unrecorded round trips before the first size of each mechanism, so that both JVMs "
                + "run compiled code when measuring (default 20000; later sizes: 40%% of their round trips)")
    public int jitWarmup = 20_000;

    /** One-way messages per size for throughput: up to this many, at most {@link #throughputBytes} bytes. */
    @Option(names = "--messages", paramLabel = "N", converter = Positive.class,
            description = "one-way messages per size for throughput (default 50000, at most 32 MiB of payload)")
    public int messages = 50_000;

    @Option(names = "--quick", description = "a first look in seconds: sizes 32,4k, 300 round trips, 2000 "
            + "messages, a short idle phase; writes " + "ipc4j-bench-quick.html unless --out says otherwise")
    public boolean quick;

    @Option(names = "--out", paramLabel = "FILE.html",
            description = "the HTML report (default ipc4j-bench-report.html; with --quick ipc4j-bench-quick.html)")
    public Path html;

    @Option(names = "--json", paramLabel = "FILE.json", description = "also write the figures as JSON")
    public Path json;

    /** Times the whole selection runs, in rotated order; each figure is then the median over the rounds. */
    @Option(names = "--rounds", paramLabel = "N", converter = Positive.class,
            description = "run the selection N times, each round in a rotated order; report the median of each "
                + "figure and the ring ratios of every round (default 1)")
    public int rounds = 1;

    @Option(names = "--no-idle", description = "skip the idle phase (idle CPU, round trips after a pause)")
    public boolean noIdle;

    @Option(names = "--no-pin", negatable = false, description = "do not pin the two processes to separate cores")
    public boolean noPin;

    /** Both processes measure on a virtual thread (JDK 21+), the path ipc4j takes for virtual threads. */
    @Option(names = "--virtual-threads", description = "both processes send and wait on a virtual thread (JDK 21+)")
    public boolean virtualThreads;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
    public boolean help;

    public int minRoundTrips = 100;
    /** Unrecorded round trips before measuring a later size, as a fraction of its round trips (at least 50). */
    public double warmupFraction = 0.4;
    public long throughputBytes = 32L << 20;
    public boolean pin = true;
    /** The idle phase, or null for none. */
    public Idle idle = Idle.standard();
    /** Whether progress is one line updated in place (a terminal) rather than plain lines. */
    public boolean progressLine;
    public List<String> jvmOptions = new ArrayList<>(List.of("-Xms64m", "-Xmx512m", "-XX:+UseSerialGC"));
    public String classPath = System.getProperty("ipc4j.bench.classpath", System.getProperty("java.class.path"));

    /** Usage text. */
    public static String usage() {
        StringWriter text = new StringWriter();
        commandLine(new Options()).usage(new PrintWriter(text));
        return text.toString().stripTrailing();
    }

    private static CommandLine commandLine(Options o) {
        System.setProperty("ipc4j.bench.ids", String.join(",", Mechanisms.ids()));
        return new CommandLine(o).setUnmatchedOptionsArePositionalParams(false);
    }

    /** Parses the arguments; throws IllegalArgumentException naming a bad one (with the usage). */
    public static Options parse(List<String> args) {
        Options o = new Options();
        try {
            commandLine(o).parseArgs(args.toArray(new String[0]));
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException(e.getMessage()
                    + "\n(java -jar ipc4j-bench.jar --help lists the options)", e);
        }
        if (o.virtualThreads && !VirtualThreadRunner.available()) {
            throw new IllegalArgumentException("--virtual-threads needs JDK 21 or later; this is Java "
                    + Runtime.version().feature());
        }
        if (o.quick) {
            o.quick();
        }
        o.sizes = new ArrayList<>(new java.util.TreeSet<>(o.sizes));
        o.pin = !o.noPin;
        if (o.noIdle) {
            o.idle = null;
        }
        if (o.html == null) {
            o.html = o.quick ? QUICK_REPORT : FULL_REPORT;
        }
        return o;
    }

    /** The quick mode: a few seconds in all, for CI and a first look. Keeps sizes and counts given explicitly. */
    public Options quick() {
        quick = true;
        Options defaults = new Options();
        if (sizes.equals(defaults.sizes)) {
            sizes = new ArrayList<>(List.of(32, 4096));
        }
        if (roundTrips == defaults.roundTrips) {
            roundTrips = 300;
        }
        if (jitWarmup == defaults.jitWarmup) {
            jitWarmup = 1_000;
        }
        if (messages == defaults.messages) {
            messages = 2_000;
        }
        minRoundTrips = 50;
        idle = noIdle ? null : Idle.quick();
        return this;
    }

    /** The step for one size of one mechanism: the same counts for every mechanism at that size. */
    public Step step(Mechanism m, int size) {
        int rt = size <= 4096 ? roundTrips : (int) Math.max(minRoundTrips, (long) roundTrips * 4096 / size);
        int warmup = (int) Math.max(50, rt * warmupFraction);
        int msgs = m.throughputLimit() != null ? 0
                : (int) Math.max(64, Math.min(messages, throughputBytes / Math.max(size, 1)));
        return new Step(size, warmup, rt, msgs, m.window(size));
    }

    /**
     * The first step of a mechanism with the JIT warm-up: at least {@link #jitWarmup} unrecorded round trips
     * (scaled down like the round trips above 4 KiB), so that both JVMs measure compiled code.
     */
    public Step firstStep(Step s) {
        int size = s.size();
        int warm = size <= 4096 ? jitWarmup : (int) Math.max(s.warmup(), (long) jitWarmup * 4096 / size);
        return warm <= s.warmup() ? s : new Step(size, warm, s.roundTrips(), s.messages(), s.window());
    }

    /** Parses a mechanism id, naming the known ones when it is not one. */
    static final class MechanismId implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                return Mechanisms.byId(value.trim()).id();
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** Parses a message size with {@link Format#parseSize}. */
    static final class Size implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            try {
                return Format.parseSize(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** Parses a positive count; {@code _} may group digits. */
    static final class Positive implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            try {
                int v = Integer.parseInt(value.replace("_", ""));
                if (v > 0) {
                    return v;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new CommandLine.TypeConversionException("needs a positive number, got \"" + value + "\"");
        }
    }
}
