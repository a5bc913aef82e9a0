package org.ipc4j.bench.harness;

import java.util.Locale;
import org.ipc4j.bench.harness.Results.FloorRatio;
import org.ipc4j.bench.harness.Results.MechanismResult;
import org.ipc4j.bench.harness.Results.PairRatio;
import org.ipc4j.bench.harness.Results.SizeResult;

/** Writes a run as JSON (for the HTML report's script and for tools). No library: the shape is small. */
public final class Json {
    private Json() {
    }

    public static String of(Results.Run run) {
        StringBuilder sb = new StringBuilder("{");
        Machine m = run.machine();
        sb.append("\"machine\":{\"cores\":").append(m.cores()).append(",\"cpu\":").append(str(m.cpuModel()))
                .append(",\"jdk\":").append(str(m.jdk())).append(",\"os\":").append(str(m.os()))
                .append(",\"load\":").append(str(m.loadAverage())).append("},");
        sb.append("\"pinning\":").append(str(run.pinning())).append(',');
        sb.append("\"command\":").append(str(run.command())).append(',');
        sb.append("\"startedAt\":").append(str(run.startedAt())).append(',');
        sb.append("\"seconds\":").append(num(run.seconds())).append(',');
        sb.append("\"sizes\":").append(run.sizes()).append(',');
        sb.append("\"mechanisms\":[");
        boolean first = true;
        for (MechanismResult r : run.mechanisms()) {
            sb.append(first ? "" : ",");
            first = false;
            sb.append("{\"id\":").append(str(r.id())).append(",\"title\":").append(str(r.title()))
                    .append(",\"sharesData\":").append(str(r.sharesData())).append(",\"needsSync\":")
                    .append(str(r.needsSync())).append(",\"direction\":").append(str(r.direction()))
                    .append(",\"typicalUse\":").append(str(r.typicalUse())).append(",\"reference\":")
                    .append(r.reference()).append(",\"skipped\":").append(str(r.skipped())).append(",\"failed\":")
                    .append(str(r.failed())).append(",\"sizes\":[");
            boolean f2 = true;
            for (SizeResult s : r.sizes()) {
                sb.append(f2 ? "" : ",");
                f2 = false;
                sb.append("{\"size\":").append(s.size()).append(",\"skipped\":").append(str(s.skipped()))
                        .append(",\"msgsPerSec\":").append(num(s.messagesPerSecond())).append(",\"mbPerSec\":")
                        .append(num(s.megabytesPerSecond())).append(",\"throughputSkipped\":")
                        .append(str(s.throughputSkipped()));
                Percentiles p = s.latency();
                if (p != null) {
                    sb.append(",\"latency\":{\"count\":").append(p.count()).append(",\"mean\":").append(num(p.mean()))
                            .append(",\"min\":").append(p.min()).append(",\"p50\":").append(p.p50())
                            .append(",\"p90\":").append(p.p90()).append(",\"p99\":").append(p.p99())
                            .append(",\"p999\":").append(p.p999()).append(",\"max\":").append(p.max())
                            .append(",\"curve\":[");
                    for (int i = 0; i < p.curve().size(); i++) {
                        double[] pt = p.curve().get(i);
                        sb.append(i == 0 ? "" : ",").append('[').append(num(pt[0])).append(',').append(num(pt[1]))
                                .append(']');
                    }
                    sb.append("]}");
                }
                sb.append('}');
            }
            sb.append("]}");
        }
        sb.append("],\"floors\":[");
        first = true;
        for (FloorRatio f : run.floors()) {
            sb.append(first ? "" : ",");
            first = false;
            sb.append("{\"java\":").append(str(f.java())).append(",\"c\":").append(str(f.c())).append(",\"size\":")
                    .append(f.size()).append(",\"javaP50\":").append(f.javaP50()).append(",\"cP50\":")
                    .append(f.cP50()).append(",\"overheadPercent\":").append(num(f.overheadPercent())).append('}');
        }
        sb.append("],\"rounds\":").append(run.rounds()).append(",\"pairs\":[");
        first = true;
        for (PairRatio r : run.pairs()) {
            sb.append(first ? "" : ",");
            first = false;
            sb.append("{\"id\":").append(str(r.id())).append(",\"reference\":").append(str(r.reference()))
                    .append(",\"size\":").append(r.size()).append(",\"p50\":").append(nums(r.p50()))
                    .append(",\"p99\":").append(nums(r.p99())).append(",\"throughput\":").append(nums(r.throughput()))
                    .append('}');
        }
        sb.append("]}");
        return sb.toString();
    }

    private static String nums(java.util.List<Double> values) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < values.size(); i++) {
            sb.append(i == 0 ? "" : ",").append(num(values.get(i)));
        }
        return sb.append(']').toString();
    }

    static String num(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "null";
        }
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.6g", v);
    }

    /** A JSON string literal (null for null); also safe inside an HTML script element. */
    static String str(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '<' -> sb.append("\\u003c");
                case '>' -> sb.append("\\u003e");
                case '&' -> sb.append("\\u0026");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
