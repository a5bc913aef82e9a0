package org.ipc4j.bench.harness;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import org.ipc4j.bench.harness.Results.FloorRatio;
import org.ipc4j.bench.harness.Results.GapResult;
import org.ipc4j.bench.harness.Results.MechanismResult;
import org.ipc4j.bench.harness.Results.SizeResult;

/**
 * "Which one?": a mechanism per need, chosen from the figures of the run itself, never a fixed winner.
 * Each need has its candidates (what can serve it at all: for example only sockets take many clients);
 * among those that ran, the figure decides, and the reason quotes it against the runner-up.
 */
public final class Recommend {
    private Recommend() {
    }

    /**
     * One need's answer.
     *
     * @param need what the user needs
     * @param id the chosen mechanism's id, or null when no candidate ran
     * @param name its display name (or "none measured")
     * @param reason the figures that chose it, from this run
     */
    public record Choice(String need, String id, String name, String reason) {
    }

    /** The answers for a run, in a fixed order of needs. */
    public static List<Choice> of(Results.Run run) {
        int small = run.sizes().isEmpty() ? 32 : run.sizes().get(0);
        List<Choice> choices = new ArrayList<>();
        Choice fastest = byLatency(run, "lowest latency", small,
                List.of("shm", "unix", "tcp", "udp", "pipe", "fifo", "mq"), "");
        MechanismResult winner = fastest.id() == null ? null : run.mechanism(fastest.id());
        if (winner != null && winner.idle() != null && winner.idle().skipped() == null
                && !Double.isNaN(winner.idle().threadPercent())) {
            // the price of the answer, when it has one: what its waiting end costs while idle
            fastest = new Choice(fastest.need(), fastest.id(), fastest.name(), fastest.reason() + "; an idle end costs "
                    + Idle.percent(winner.idle().threadPercent()) + " of a core");
        }
        choices.add(fastest);
        choices.add(largeMessages(run));
        choices.add(byLatency(run, "many clients, one server", small, List.of("unix", "tcp"),
                "; one server, a channel per client (TCP for clients on other hosts)"));
        choices.add(byLatency(run, "non-Java peers", small, List.of("unix", "tcp", "udp", "pipe", "fifo", "mq"),
                "; plain OS objects that every language opens"));
        choices.add(kernelQueue(run, small));
        choices.add(idle(run));
        return choices;
    }

    private static List<MechanismResult> ran(Results.Run run, List<String> ids) {
        List<MechanismResult> list = new ArrayList<>();
        for (String id : ids) {
            MechanismResult m = run.mechanism(id);
            if (m != null && m.skipped() == null && m.failed() == null && m.first() != null) {
                list.add(m);
            }
        }
        return list;
    }

    private static SizeResult at(MechanismResult m, int size) {
        SizeResult s = m.at(size);
        return s != null && s.ran() ? s : null;
    }

    private static Choice none(String need, List<String> ids) {
        return new Choice(need, null, "none measured", "none of " + String.join(", ", names(ids)) + " ran in this run");
    }

    private static List<String> names(List<String> ids) {
        return ids.stream().map(id -> Display.name(id, id)).toList();
    }

    private static Choice byLatency(Results.Run run, String need, int size, List<String> ids, String note) {
        List<MechanismResult> ms = new ArrayList<>(ran(run, ids).stream().filter(m -> at(m, size) != null).toList());
        if (ms.isEmpty()) {
            return none(need, ids);
        }
        ms.sort(Comparator.comparingLong(m -> at(m, size).latency().p50()));
        MechanismResult best = ms.get(0);
        long p50 = at(best, size).latency().p50();
        String reason = "p50 " + Format.nanos(p50) + " at " + Format.size(size);
        if (ms.size() > 1) {
            MechanismResult next = ms.get(1);
            long p = at(next, size).latency().p50();
            double ratio = p / (double) p50;
            reason += (ratio < 1.1 ? ", a tie with " : ", " + times(ratio) + " below ") + next.name() + " ("
                    + Format.nanos(p) + ")";
        } else {
            reason += ", the only candidate measured";
        }
        return new Choice(need, best.id(), best.name(), reason + note);
    }

    private static Choice largeMessages(Results.Run run) {
        List<String> ids = List.of("shm", "unix", "tcp", "pipe", "fifo", "udp", "mq");
        List<MechanismResult> ms = ran(run, ids);
        int largest = -1;
        for (MechanismResult m : ms) {
            for (SizeResult s : m.sizes()) {
                if (s.ran() && !Double.isNaN(s.megabytesPerSecond())) {
                    largest = Math.max(largest, s.size());
                }
            }
        }
        String need = "throughput of large messages";
        if (largest < 0) {
            return none(need, ids);
        }
        int size = largest;
        ToDoubleFunction<MechanismResult> mbs = m -> at(m, size) == null ? Double.NaN : at(m, size).megabytesPerSecond();
        List<MechanismResult> at = new ArrayList<>(ms.stream().filter(m -> !Double.isNaN(mbs.applyAsDouble(m))).toList());
        at.sort(Comparator.comparingDouble(mbs).reversed());
        MechanismResult best = at.get(0);
        double top = mbs.applyAsDouble(best);
        String reason = Format.megabytes(top) + " MB/s at " + Format.size(size);
        if (at.size() > 1) {
            MechanismResult next = at.get(1);
            double ratio = top / mbs.applyAsDouble(next);
            reason += (ratio < 1.1 ? ", a tie with " : ", " + times(ratio) + " the next, ") + next.name() + " ("
                    + Format.megabytes(mbs.applyAsDouble(next)) + " MB/s)";
        } else {
            reason += ", the only candidate measured at that size";
        }
        return new Choice(need, best.id(), best.name(), reason);
    }

    private static Choice kernelQueue(Results.Run run, int size) {
        String need = "a kernel-held queue";
        List<MechanismResult> ms = ran(run, List.of("mq"));
        if (ms.isEmpty()) {
            return none(need, List.of("mq"));
        }
        MechanismResult mq = ms.get(0);
        SizeResult s = at(mq, size) != null ? at(mq, size) : mq.first();
        String reason = "p50 " + Format.nanos(s.latency().p50()) + " at " + Format.size(s.size());
        for (FloorRatio f : run.floors()) {
            if (f.java().equals("mq")) {
                reason += String.format(Locale.ROOT, ", %+.0f%% against the same calls in C", f.overheadPercent());
            }
        }
        return new Choice(need, mq.id(), mq.name(), reason + "; messages wait in the kernel, with priorities");
    }

    /** Among the transports whose idle end costs at most 0.5% of a core, the quickest first reply after 20 ms. */
    private static Choice idle(Results.Run run) {
        String need = "mostly idle, quick first reply";
        List<String> ids = List.of("shm", "unix", "tcp", "udp", "pipe", "fifo", "mq");
        List<MechanismResult> ms = new ArrayList<>();
        for (MechanismResult m : ran(run, ids)) {
            if (m.idle() != null && m.idle().skipped() == null && gap(m) != null
                    && !Double.isNaN(m.idle().threadPercent())) {
                ms.add(m);
            }
        }
        if (ms.isEmpty()) {
            return new Choice(need, null, "none measured", "the idle phase did not run (--no-idle?)");
        }
        List<MechanismResult> cheap = new ArrayList<>(ms.stream().filter(m -> m.idle().threadPercent() <= 0.5).toList());
        List<MechanismResult> pool = cheap.isEmpty() ? ms : cheap;
        pool.sort(Comparator.comparingLong(m -> gap(m).latency().p50()));
        MechanismResult best = pool.get(0);
        GapResult g = gap(best);
        String reason = "an idle end costs " + Idle.percent(best.idle().threadPercent()) + " of a core; after "
                + g.millis() + " ms idle p50 " + Format.nanos(g.latency().p50());
        MechanismResult costly = ms.stream().filter(m -> !cheap.contains(m))
                .max(Comparator.comparingDouble(m -> m.idle().threadPercent())).orElse(null);
        if (costly != null && !cheap.isEmpty()) {
            reason += "; " + costly.name() + " costs " + Idle.percent(costly.idle().threadPercent()) + " ("
                    + Format.nanos(gap(costly).latency().p50()) + ")";
        } else if (cheap.isEmpty()) {
            reason += "; no candidate's idle end stayed at or below 0.5% of a core";
        }
        return new Choice(need, best.id(), best.name(), reason);
    }

    /** The 20 ms gap (the figure) or the shortest there is. */
    static GapResult gap(MechanismResult m) {
        if (m.idle() == null || m.idle().gaps().isEmpty()) {
            return null;
        }
        GapResult g = m.idle().gap(20);
        return g != null ? g : m.idle().gaps().get(0);
    }

    /** "62x", "3.1x", "1.2x". */
    static String times(double ratio) {
        return ratio >= 10 ? String.format(Locale.ROOT, "%.0fx", ratio) : String.format(Locale.ROOT, "%.1fx", ratio);
    }
}
