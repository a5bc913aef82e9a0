package org.ipc4j.bench.harness;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress on stderr: which mechanism, which size and phase, how far, and an estimate of the time left
 * from the work done so far (round trips and messages, weighted alike).
 */
final class Progress {
    private final PrintStream out;
    private final long totalUnits;
    private final long start = System.nanoTime();
    private long doneUnits;
    private long lastPrint;

    Progress(PrintStream out, long totalUnits) {
        this.out = out;
        this.totalUnits = Math.max(1, totalUnits);
    }

    /** Reports position within the current step; {@code stepDone} of {@code stepUnits}. */
    void update(String label, long stepDone, long stepUnits, boolean force) {
        long now = System.nanoTime();
        if (!force && now - lastPrint < 1_000_000_000L) {
            return;
        }
        lastPrint = now;
        double fraction = Math.min(1.0, (doneUnits + stepDone) / (double) totalUnits);
        double elapsed = (now - start) / 1e9;
        String left = fraction > 0.02 ? String.format(Locale.ROOT, "~%.0f s left", elapsed * (1 - fraction) / fraction)
                : "estimating";
        out.printf(Locale.ROOT, "[bench] %-40s %3.0f%% of step | %3.0f%% overall | %s%n", label,
                100.0 * stepDone / Math.max(1, stepUnits), 100 * fraction, left);
        out.flush();
    }

    void stepDone(long units) {
        doneUnits += units;
    }

    void note(String text) {
        out.println("[bench] " + text);
        out.flush();
    }
}
