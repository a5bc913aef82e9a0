package org.ipc4j.bench.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.ipc4j.bench.harness.Results.FloorRatio;
import org.ipc4j.bench.harness.Results.MechanismResult;
import org.ipc4j.bench.harness.Results.PairRatio;
import org.ipc4j.bench.harness.Results.SizeResult;

/** The console form of a run: the textbook's comparison table with measured columns, then the details. */
public final class ConsoleReport {
    private ConsoleReport() {
    }

    /** Renders the whole run as plain text. */
    public static String render(Results.Run run) {
        StringBuilder sb = new StringBuilder();
        sb.append("ipc4j cross-process comparison\n");
        sb.append("machine: ").append(run.machine().describe()).append('\n');
        sb.append("pinning: ").append(run.pinning()).append('\n');
        sb.append("command: ").append(run.command()).append('\n');
        if (run.rounds() > 1) {
            sb.append("rounds: ").append(run.rounds())
                    .append(" (each in a rotated order; every figure below is the median over the rounds)\n");
        }
        int small = run.sizes().isEmpty() ? 32 : run.sizes().get(0);
        sb.append('\n').append("Summary (round trip at ").append(Format.size(small))
                .append(" or the signal; best one-way throughput over the sizes)\n");
        String[] head = {"mechanism", "shares data", "needs sync", "direction", "typical use", "p50", "p99",
            "best msgs/s", "best MB/s"};
        int[] w = {34, 11, 15, 15, 44, 9, 9, 11, 9};
        row(sb, head, w);
        sb.append("-".repeat(sum(w) + w.length - 1)).append('\n');
        for (MechanismResult m : run.mechanisms()) {
            SizeResult s = m.at(small) != null && m.at(small).ran() ? m.at(small) : m.first();
            String p50 = s != null ? Format.nanos(s.latency().p50()) : "-";
            String p99 = s != null ? Format.nanos(s.latency().p99()) : "-";
            double bestRate = Double.NaN;
            double bestMb = Double.NaN;
            for (SizeResult r : m.sizes()) {
                if (r.ran() && !Double.isNaN(r.messagesPerSecond())
                        && (Double.isNaN(bestRate) || r.messagesPerSecond() > bestRate)) {
                    bestRate = r.messagesPerSecond();
                }
                if (r.ran() && !Double.isNaN(r.megabytesPerSecond())
                        && (Double.isNaN(bestMb) || r.megabytesPerSecond() > bestMb)) {
                    bestMb = r.megabytesPerSecond();
                }
            }
            row(sb, new String[] {m.title(), m.sharesData(), m.needsSync(), m.direction(), m.typicalUse(), p50, p99,
                Format.rate(bestRate), Format.megabytes(bestMb)}, w);
        }
        sb.append('\n').append("Details (round-trip latency percentiles; one-way throughput)\n");
        String[] dh = {"mechanism", "size", "round trips", "p50", "p90", "p99", "p99.9", "max", "msgs/s", "MB/s"};
        int[] dw = {12, 8, 11, 9, 9, 9, 9, 9, 10, 8};
        row(sb, dh, dw);
        sb.append("-".repeat(sum(dw) + dw.length - 1)).append('\n');
        List<String> notes = new ArrayList<>();
        for (MechanismResult m : run.mechanisms()) {
            if (m.skipped() != null) {
                row(sb, new String[] {m.id(), "-", "skipped: " + m.skipped()}, new int[] {12, 8, 80});
                continue;
            }
            for (SizeResult s : m.sizes()) {
                String size = m.id().startsWith("sem") || m.id().equals("cacheline") ? "signal" : Format.size(s.size());
                if (!s.ran()) {
                    row(sb, new String[] {m.id(), size, s.skipped()}, new int[] {12, 8, 80});
                    continue;
                }
                Percentiles p = s.latency();
                row(sb, new String[] {m.id(), size, String.valueOf(p.count()), Format.nanos(p.p50()),
                    Format.nanos(p.p90()), Format.nanos(p.p99()), Format.nanos(p.p999()), Format.nanos(p.max()),
                    Format.rate(s.messagesPerSecond()), Format.megabytes(s.megabytesPerSecond())}, dw);
                if (s.throughputSkipped() != null && !notes.contains(m.id() + ": throughput n/a, " + s.throughputSkipped())) {
                    notes.add(m.id() + ": throughput n/a, " + s.throughputSkipped());
                }
            }
            if (m.failed() != null) {
                row(sb, new String[] {m.id(), "-", "FAILED: " + m.failed()}, new int[] {12, 8, 120});
            }
        }
        for (String n : notes) {
            sb.append("  note: ").append(n).append('\n');
        }
        if (!run.floors().isEmpty()) {
            sb.append('\n').append("JNA path against the same round trip in C (target: at most +10% at p50)\n");
            for (FloorRatio f : run.floors()) {
                sb.append(String.format(Locale.ROOT, "  %-5s p50 %s vs %s p50 %s at %s: %+.1f%%%n", f.java(),
                        Format.nanos(f.javaP50()), f.c(), Format.nanos(f.cP50()),
                        f.java().equals("sem") ? "signal" : Format.size(f.size()), f.overheadPercent()));
            }
        }
        if (!run.pairs().isEmpty()) {
            sb.append('\n').append("Rings against references, measured in the same round (p50, p99: below 1 is faster;"
                    + " msgs/s: above 1 is faster)\n");
            for (PairRatio r : run.pairs()) {
                String size = r.reference().equals("cacheline") ? Format.size(r.size()) + " vs signal" : Format.size(r.size());
                sb.append(String.format(Locale.ROOT, "  %-8s / %-9s %-16s p50 %s%n", r.id(), r.reference(), size,
                        ratios(r.p50())));
                sb.append(String.format(Locale.ROOT, "  %-8s   %-9s %-16s p99 %s%n", "", "", "", ratios(r.p99())));
                if (!r.throughput().isEmpty()) {
                    sb.append(String.format(Locale.ROOT, "  %-8s   %-9s %-16s msgs/s %s%n", "", "", "",
                            ratios(r.throughput())));
                }
            }
        }
        sb.append(String.format(Locale.ROOT, "%nrun took %.1f s%n", run.seconds()));
        return sb.toString();
    }

    /** "0.93" for one round; "median 0.93 (0.90 0.93 1.02)" for several. */
    static String ratios(List<Double> values) {
        StringBuilder each = new StringBuilder();
        for (double v : values) {
            each.append(each.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.2f", v));
        }
        if (values.size() == 1) {
            return each.toString();
        }
        double median = Percentiles.median(values.stream().mapToDouble(Double::doubleValue).toArray());
        return String.format(Locale.ROOT, "median %.2f (rounds: %s)", median, each);
    }

    private static int sum(int[] w) {
        int s = 0;
        for (int x : w) {
            s += x;
        }
        return s;
    }

    private static void row(StringBuilder sb, String[] cells, int[] widths) {
        for (int i = 0; i < cells.length; i++) {
            boolean numeric = i > 0 && widths.length > 3 && widths[i] <= 11 && i >= widths.length - 7
                    && widths.length == 10 && i >= 2;
            String c = cells[i] == null ? "" : cells[i];
            sb.append(i == cells.length - 1 && !numeric ? c : numeric ? Format.padLeft(c, widths[i])
                    : Format.pad(c, widths[i]));
            if (i < cells.length - 1) {
                sb.append(' ');
            }
        }
        sb.append('\n');
    }
}
