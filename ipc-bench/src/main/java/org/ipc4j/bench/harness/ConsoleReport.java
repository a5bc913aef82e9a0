package org.ipc4j.bench.harness;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.ipc4j.bench.harness.Results.FloorRatio;
import org.ipc4j.bench.harness.Results.GapResult;
import org.ipc4j.bench.harness.Results.IdleResult;
import org.ipc4j.bench.harness.Results.MechanismResult;
import org.ipc4j.bench.harness.Results.PairRatio;
import org.ipc4j.bench.harness.Results.SizeResult;

/**
 * The console form of a run, at most {@value TextTable#MAX_WIDTH} columns wide: which mechanism to use per
 * need, the transports sorted by latency, the references apart, what waiting costs, what each mechanism
 * is, then the details.
 */
public final class ConsoleReport {
    private ConsoleReport() {
    }

    /** Renders the whole run as plain text. */
    public static String render(Results.Run run) {
        StringBuilder sb = new StringBuilder();
        sb.append("ipc4j cross-process comparison\n");
        sb.append(TextTable.paragraph("machine: " + run.machine().describe(), "  "));
        sb.append(TextTable.paragraph("pinning: " + run.pinning(), "  "));
        sb.append(TextTable.paragraph("command: " + run.command(), "  "));
        if (run.rounds() > 1) {
            sb.append(TextTable.paragraph("rounds: " + run.rounds()
                    + " (each in a rotated order; every figure below is the median over the rounds)", "  "));
        }
        int small = run.sizes().isEmpty() ? 32 : run.sizes().get(0);

        sb.append("\nWhich one? (chosen from this run's figures)\n");
        for (Recommend.Choice c : Recommend.of(run)) {
            sb.append(TextTable.paragraph("  " + c.need() + ": " + c.name(), "      "));
            sb.append(TextTable.paragraph("      " + c.reason(), "      "));
        }

        List<MechanismResult> ours = new ArrayList<>();
        List<MechanismResult> references = new ArrayList<>();
        for (MechanismResult m : run.mechanisms()) {
            (Display.role(m.id(), m.reference()).equals(Display.REFERENCE) ? references : ours).add(m);
        }
        ours.sort(Comparator.comparingLong(m -> smallest(m, small) == null ? Long.MAX_VALUE
                : smallest(m, small).latency().p50()));
        String head = "round trip at " + Format.size(small) + " (signals: the signal), best one-way throughput";
        sb.append("\nTransports, fastest first (").append(head).append(")\n");
        sb.append(summary(ours, small));
        if (!references.isEmpty()) {
            sb.append("\nReferences, not ipc4j: the hardware floor, another library, the same calls in C\n");
            sb.append(summary(references, small));
        }
        sb.append(waiting(run));
        sb.append("\nWhat each one is\n");
        TextTable what = new TextTable("", 99, 21, 12, 14, 15, 34);
        what.row("mechanism", "shares data", "needs sync", "direction", "typical use").rule();
        for (MechanismResult m : run.mechanisms()) {
            what.row(m.name(), m.sharesData(), m.needsSync(), m.direction(), m.typicalUse());
        }
        sb.append(what);
        sb.append(details(run));
        if (!run.floors().isEmpty()) {
            sb.append("\nJNA against the same calls in C (p50, smallest size)\n");
            for (FloorRatio f : run.floors()) {
                sb.append(String.format(Locale.ROOT, "  %-14s %s, in C %s at %s: %+.1f%%%n", Display.name(f.java(), f.java()),
                        Format.nanos(f.javaP50()), Format.nanos(f.cP50()),
                        f.java().equals("sem") ? "signal" : Format.size(f.size()), f.overheadPercent()));
            }
        }
        if (!run.pairs().isEmpty()) {
            sb.append("\nRings against references, measured in the same round (p50, p99: below 1 is faster;\n"
                    + "msgs/s: above 1 is faster)\n");
            for (PairRatio r : run.pairs()) {
                String size = r.reference().equals("cacheline") ? Format.size(r.size()) + " vs signal"
                        : Format.size(r.size());
                sb.append(TextTable.paragraph(String.format(Locale.ROOT, "  %s / %s at %s: p50 %s", Display.name(r.id(),
                        r.id()), Display.name(r.reference(), r.reference()), size, ratios(r.p50())), "      "));
                sb.append(TextTable.paragraph("      p99 " + ratios(r.p99()), "      "));
                if (!r.throughput().isEmpty()) {
                    sb.append(TextTable.paragraph("      msgs/s " + ratios(r.throughput()), "      "));
                }
            }
        }
        sb.append(String.format(Locale.ROOT, "%nrun took %.1f s%n", run.seconds()));
        return sb.toString();
    }

    /** The result at the smallest size, or the first size that ran (a signal). */
    static SizeResult smallest(MechanismResult m, int small) {
        SizeResult s = m.at(small);
        return s != null && s.ran() ? s : m.first();
    }

    private static String summary(List<MechanismResult> list, int small) {
        TextTable t = new TextTable("", 1, 21, 9, 9, 11, 9, 9, 11);
        t.row("mechanism", "p50", "p99", "best msgs/s", "best MB/s", "idle CPU", "20 ms idle").rule();
        for (MechanismResult m : list) {
            if (m.skipped() != null) {
                t.span(m.name(), "skipped: " + m.skipped());
                continue;
            }
            SizeResult s = smallest(m, small);
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
            IdleResult idle = m.idle();
            GapResult gap = Recommend.gap(m);
            t.row(m.name(), s != null ? Format.nanos(s.latency().p50()) : "-",
                    s != null ? Format.nanos(s.latency().p99()) : "-", Format.rate(bestRate), Format.megabytes(bestMb),
                    idle != null && idle.skipped() == null ? Idle.percent(idle.threadPercent()) : "n/a",
                    gap != null ? Format.nanos(gap.latency().p50()) : "n/a");
            if (m.failed() != null) {
                t.span("", "FAILED: " + m.failed());
            }
        }
        return t.toString();
    }

    private static String waiting(Results.Run run) {
        List<MechanismResult> measured = run.mechanisms().stream()
                .filter(m -> m.idle() != null && m.idle().skipped() == null).toList();
        if (measured.isEmpty()) {
            return "";
        }
        List<Integer> gaps = measured.get(0).idle().gaps().stream().map(GapResult::millis).toList();
        StringBuilder sb = new StringBuilder("\nWaiting: CPU of one idle waiting end in % of a core (its thread; its"
                + " whole JVM),\nand the round trip after the receiver waited " + gaps.stream().map(String::valueOf)
                .collect(java.util.stream.Collectors.joining(", ")) + " ms (p50, p90)\n");
        int[] widths = new int[3 + 2 * gaps.size()];
        widths[0] = 21;
        widths[1] = 7;
        widths[2] = 7;
        String[] head = new String[widths.length];
        head[0] = "mechanism";
        head[1] = "thread";
        head[2] = "JVM";
        for (int i = 0; i < gaps.size(); i++) {
            widths[3 + 2 * i] = 9;
            widths[4 + 2 * i] = 8;
            head[3 + 2 * i] = gaps.get(i) + "ms p50";
            head[4 + 2 * i] = "p90";
        }
        TextTable t = new TextTable("", 1, widths);
        t.row(head).rule();
        for (MechanismResult m : measured) {
            String[] cells = new String[widths.length];
            cells[0] = m.name();
            cells[1] = Idle.percent(m.idle().threadPercent());
            cells[2] = Idle.percent(m.idle().processPercent());
            for (int i = 0; i < gaps.size(); i++) {
                GapResult g = m.idle().gap(gaps.get(i));
                cells[3 + 2 * i] = g == null ? "-" : Format.nanos(g.latency().p50());
                cells[4 + 2 * i] = g == null ? "-" : Format.nanos(g.latency().p90());
            }
            t.row(cells);
        }
        return sb.append(t).toString();
    }

    private static String details(Results.Run run) {
        StringBuilder sb = new StringBuilder("\nDetails (round-trip latency percentiles; one-way throughput)\n");
        TextTable t = new TextTable("", 2, 21, 6, 7, 8, 8, 8, 8, 8, 9, 6);
        t.row("mechanism", "size", "count", "p50", "p90", "p99", "p99.9", "max", "msgs/s", "MB/s").rule();
        List<String> notes = new ArrayList<>();
        for (MechanismResult m : run.mechanisms()) {
            if (m.skipped() != null) {
                t.span(m.name(), "skipped: " + m.skipped());
                continue;
            }
            for (SizeResult s : m.sizes()) {
                String size = m.carriesNoData() ? "signal" : Format.size(s.size());
                if (!s.ran()) {
                    t.span(m.name(), size + " " + s.skipped());
                    continue;
                }
                Percentiles p = s.latency();
                t.row(m.name(), size, String.valueOf(p.count()), Format.nanos(p.p50()), Format.nanos(p.p90()),
                        Format.nanos(p.p99()), Format.nanos(p.p999()), Format.nanos(p.max()),
                        Format.rate(s.messagesPerSecond()), Format.megabytes(s.megabytesPerSecond()));
                String note = m.name() + ": throughput n/a, " + s.throughputSkipped();
                if (s.throughputSkipped() != null && !notes.contains(note)) {
                    notes.add(note);
                }
            }
            if (m.failed() != null) {
                t.span(m.name(), "FAILED: " + m.failed());
            }
        }
        sb.append(t);
        for (String n : notes) {
            sb.append(TextTable.paragraph("  note: " + n, "        "));
        }
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
}
