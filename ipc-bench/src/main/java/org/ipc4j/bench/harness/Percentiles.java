package org.ipc4j.bench.harness;

import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * Round-trip latency summary of one run, in nanoseconds, taken from an HdrHistogram (3 significant digits).
 *
 * @param count recorded round trips (warm-up excluded)
 * @param curve (percentile, value) points for the percentile chart, ending with the maximum at 100
 */
public record Percentiles(long count, double mean, long min, long p50, long p90, long p99, long p999, long max,
        List<double[]> curve) {

    /** Percentiles drawn on the latency curve (100 is the maximum). */
    static final double[] CURVE = {0, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 100};

    public Percentiles {
        if (!(p50 <= p90 && p90 <= p99 && p99 <= p999 && p999 <= max)) {
            throw new IllegalArgumentException("percentiles out of order: " + p50 + " " + p90 + " " + p99 + " " + p999
                    + " " + max);
        }
        curve = List.copyOf(curve);
    }

    /** Summarises a histogram; it must hold at least one value. */
    public static Percentiles of(Histogram h) {
        if (h.getTotalCount() == 0) {
            throw new IllegalArgumentException("no round trips recorded");
        }
        List<double[]> curve = new ArrayList<>();
        for (double p : CURVE) {
            long v = p >= 100 ? h.getMaxValue() : p <= 0 ? h.getMinValue() : h.getValueAtPercentile(p);
            curve.add(new double[] {p, v});
        }
        return new Percentiles(h.getTotalCount(), h.getMean(), h.getMinValue(), h.getValueAtPercentile(50),
                h.getValueAtPercentile(90), h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue(),
                curve);
    }
}
