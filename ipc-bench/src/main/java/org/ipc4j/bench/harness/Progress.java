package org.ipc4j.bench.harness;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress on stderr: which mechanism and step, the overall percentage and the time left. On a terminal
 * it is one line that updates in place (results of steps are printed above it); otherwise plain lines, a
 * few per mechanism.
 *
 * <p>The work is weighed in estimated nanoseconds (a round trip, a one-way message, a child JVM's start,
 * the idle phase's pauses), so that the percentage follows the clock rather than the count of operations.
 * The percentage never goes back; the time left is smoothed, so that it counts down rather than jumps
 * when one step runs slower or faster than estimated.
 */
public final class Progress {
    /** Estimated cost of starting a mechanism's child JVM and opening both ends. */
    static final long START = 1_500_000_000L;
    private static final int WIDTH = 99;

    private final PrintStream out;
    private final boolean terminal;
    private final long totalWeight;
    private final long start = System.nanoTime();
    private long doneWeight;
    private long stepWeight;
    private String label = "";
    private double shownFraction;
    private double shownLeft = Double.NaN;
    private long lastEstimate;
    private long lastPrint;
    private String line = "";

    Progress(PrintStream out, long totalWeight, boolean terminal) {
        this.out = out;
        this.totalWeight = Math.max(1, totalWeight);
        this.terminal = terminal;
    }

    /** The estimated cost of a step: its round trips and one-way messages. */
    static long weight(Step s) {
        long roundTrip = 30_000 + s.size();
        long message = 3_000 + s.size() / 2;
        return (s.warmup() + s.roundTrips()) * roundTrip + (s.messages() + s.throughputWarmup()) * message;
    }

    /** The cost of the idle phase: its pauses. */
    static long weight(Idle idle) {
        return idle.millis() * 1_000_000L;
    }

    /** A step of {@code weight} begins. */
    void begin(String stepLabel, long weight) {
        label = stepLabel;
        stepWeight = weight;
        show(0, true);
    }

    /** Position within the current step: {@code done} of {@code of}. */
    void at(long done, long of) {
        show(of <= 0 ? 0 : Math.min(1.0, done / (double) of), false);
    }

    /** The current step ended. */
    void end() {
        doneWeight += stepWeight;
        stepWeight = 0;
        show(0, false);
    }

    /** Work that is done without being run step by step (a child's start, a skipped mechanism). */
    void add(long weight) {
        doneWeight += weight;
    }

    /** A line of its own (a step's result, a skip, a failure). */
    void note(String text) {
        if (terminal) {
            out.print("\r\033[K");
        }
        out.println("[bench] " + text);
        if (terminal && !line.isEmpty()) {
            out.print(line);
        }
        out.flush();
    }

    /** The run ended: the progress line goes away on a terminal. */
    void finish() {
        if (terminal && !line.isEmpty()) {
            out.print("\r\033[K");
            out.flush();
        }
        line = "";
    }

    private void show(double withinStep, boolean newStep) {
        long now = System.nanoTime();
        double fraction = Math.min(0.99, (doneWeight + stepWeight * withinStep) / totalWeight);
        shownFraction = Math.max(shownFraction, fraction);
        estimate(now);
        long interval = terminal ? 250_000_000L : 5_000_000_000L;
        if (now - lastPrint < interval && !(newStep && terminal)) {
            return;
        }
        lastPrint = now;
        String text = String.format(Locale.ROOT, "[bench] %3.0f%% | %s | %s", 100 * shownFraction, left(), label);
        if (terminal) {
            text = text.length() > WIDTH ? text.substring(0, WIDTH) : text;
            line = "\r" + text + "\033[K";
            out.print(line);
        } else {
            out.println(text);
        }
        out.flush();
    }

    /** Moves the shown time left toward the raw estimate a little at a time, counting down in between. */
    private void estimate(long now) {
        double elapsed = (now - start) / 1e9;
        if (shownFraction < 0.03 && elapsed < 5) {
            return;
        }
        double raw = elapsed * (1 - shownFraction) / Math.max(shownFraction, 1e-3);
        if (Double.isNaN(shownLeft)) {
            shownLeft = raw;
        } else {
            double dt = (now - lastEstimate) / 1e9;
            double predicted = Math.max(0, shownLeft - dt);
            shownLeft = predicted + Math.min(1.0, 0.1 * dt) * (raw - predicted);
        }
        lastEstimate = now;
    }

    private String left() {
        if (Double.isNaN(shownLeft)) {
            return "estimating";
        }
        long s = Math.round(shownLeft);
        if (s >= 180) {
            return "about " + Math.round(s / 60.0) + " min left";
        }
        return s >= 20 ? "about " + 5 * Math.round(s / 5.0) + " s left" : "about " + Math.max(1, s) + " s left";
    }

    /** Whether stderr is a terminal: a console on JDK 17-21; on 22+ also {@code Console.isTerminal()}. */
    public static boolean stderrIsTerminal() {
        java.io.Console c = System.console();
        if (c == null || System.getenv("TERM") == null || "dumb".equals(System.getenv("TERM"))) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(c);
        } catch (ReflectiveOperationException e) {
            return true; // before JDK 22 a console exists only when stdin and stdout are terminals
        }
    }
}
