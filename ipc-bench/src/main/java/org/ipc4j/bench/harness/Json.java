package org.ipc4j.bench.harness;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.List;
import org.ipc4j.bench.harness.Results.FloorRatio;
import org.ipc4j.bench.harness.Results.GapResult;
import org.ipc4j.bench.harness.Results.IdleResult;
import org.ipc4j.bench.harness.Results.MechanismResult;
import org.ipc4j.bench.harness.Results.PairRatio;
import org.ipc4j.bench.harness.Results.SizeResult;

/**
 * A run as JSON, for the HTML report's script and for tools, written with Gson. Gson escapes {@code <},
 * {@code >} and {@code &} (and U+2028/U+2029), so the text is also safe inside an HTML script element.
 * A figure that was not measured is {@code null}.
 */
public final class Json {
    private static final Gson GSON = new GsonBuilder().serializeNulls().create();

    private Json() {
    }

    /** The whole run, with the recommendation and the mechanisms' display names, roles and colours. */
    public static String of(Results.Run run) {
        JsonObject o = new JsonObject();
        Machine m = run.machine();
        JsonObject machine = new JsonObject();
        machine.addProperty("cores", m.cores());
        machine.addProperty("cpu", m.cpuModel());
        machine.addProperty("jdk", m.jdk());
        machine.addProperty("os", m.os());
        machine.addProperty("load", m.loadAverage());
        o.add("machine", machine);
        o.addProperty("pinning", run.pinning());
        o.addProperty("command", run.command());
        o.addProperty("startedAt", run.startedAt());
        o.add("seconds", num(run.seconds()));
        o.add("sizes", GSON.toJsonTree(run.sizes()));
        o.addProperty("rounds", run.rounds());
        JsonArray recommendations = new JsonArray();
        for (Recommend.Choice c : Recommend.of(run)) {
            JsonObject r = new JsonObject();
            r.addProperty("need", c.need());
            r.addProperty("id", c.id());
            r.addProperty("name", c.name());
            r.addProperty("reason", c.reason());
            recommendations.add(r);
        }
        o.add("recommendations", recommendations);
        o.add("comparisons", GSON.toJsonTree(Display.COMPARISONS));
        JsonArray mechanisms = new JsonArray();
        for (MechanismResult r : run.mechanisms()) {
            mechanisms.add(mechanism(r));
        }
        o.add("mechanisms", mechanisms);
        JsonArray floors = new JsonArray();
        for (FloorRatio f : run.floors()) {
            JsonObject x = new JsonObject();
            x.addProperty("java", f.java());
            x.addProperty("c", f.c());
            x.addProperty("javaName", Display.name(f.java(), f.java()));
            x.addProperty("cName", Display.name(f.c(), f.c()));
            x.addProperty("size", f.size());
            x.addProperty("javaP50", f.javaP50());
            x.addProperty("cP50", f.cP50());
            x.add("overheadPercent", num(f.overheadPercent()));
            floors.add(x);
        }
        o.add("floors", floors);
        JsonArray pairs = new JsonArray();
        for (PairRatio r : run.pairs()) {
            JsonObject x = new JsonObject();
            x.addProperty("id", r.id());
            x.addProperty("reference", r.reference());
            x.addProperty("name", Display.name(r.id(), r.id()));
            x.addProperty("referenceName", Display.name(r.reference(), r.reference()));
            x.addProperty("size", r.size());
            x.add("p50", nums(r.p50()));
            x.add("p99", nums(r.p99()));
            x.add("throughput", nums(r.throughput()));
            pairs.add(x);
        }
        o.add("pairs", pairs);
        return GSON.toJson(o);
    }

    private static JsonObject mechanism(MechanismResult r) {
        JsonObject x = new JsonObject();
        x.addProperty("id", r.id());
        x.addProperty("name", r.name());
        x.addProperty("title", r.title());
        x.addProperty("role", Display.role(r.id(), r.reference()));
        x.addProperty("color", Display.color(r.id()));
        x.addProperty("sharesData", r.sharesData());
        x.addProperty("needsSync", r.needsSync());
        x.addProperty("direction", r.direction());
        x.addProperty("typicalUse", r.typicalUse());
        x.addProperty("reference", r.reference());
        x.addProperty("skipped", r.skipped());
        x.addProperty("failed", r.failed());
        JsonArray sizes = new JsonArray();
        for (SizeResult s : r.sizes()) {
            JsonObject y = new JsonObject();
            y.addProperty("size", s.size());
            y.addProperty("skipped", s.skipped());
            y.add("msgsPerSec", num(s.messagesPerSecond()));
            y.add("mbPerSec", num(s.megabytesPerSecond()));
            y.addProperty("throughputSkipped", s.throughputSkipped());
            if (s.latency() != null) {
                y.add("latency", latency(s.latency()));
            }
            sizes.add(y);
        }
        x.add("sizes", sizes);
        IdleResult idle = r.idle();
        if (idle != null) {
            JsonObject i = new JsonObject();
            i.addProperty("skipped", idle.skipped());
            i.add("threadCpuPercent", num(idle.threadPercent()));
            i.add("processCpuPercent", num(idle.processPercent()));
            i.add("waitMillis", num(idle.waitMillis()));
            JsonArray gaps = new JsonArray();
            for (GapResult g : idle.gaps()) {
                JsonObject gap = new JsonObject();
                gap.addProperty("millis", g.millis());
                gap.add("latency", latency(g.latency()));
                gaps.add(gap);
            }
            i.add("gaps", gaps);
            x.add("idle", i);
        }
        return x;
    }

    private static JsonObject latency(Percentiles p) {
        JsonObject l = new JsonObject();
        l.addProperty("count", p.count());
        l.add("mean", num(p.mean()));
        l.addProperty("min", p.min());
        l.addProperty("p50", p.p50());
        l.addProperty("p90", p.p90());
        l.addProperty("p99", p.p99());
        l.addProperty("p999", p.p999());
        l.addProperty("max", p.max());
        JsonArray curve = new JsonArray();
        for (double[] pt : p.curve()) {
            JsonArray point = new JsonArray();
            point.add(num(pt[0]));
            point.add(num(pt[1]));
            curve.add(point);
        }
        l.add("curve", curve);
        return l;
    }

    private static JsonArray nums(List<Double> values) {
        JsonArray a = new JsonArray();
        values.forEach(v -> a.add(num(v)));
        return a;
    }

    /** A number, or JSON null for NaN and the infinities (JSON has no such numbers). */
    static JsonElement num(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return JsonNull.INSTANCE;
        }
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? new JsonPrimitive((long) v) : new JsonPrimitive(v);
    }
}
