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

    /**
     * The figures of several rounds of the same step as one: each percentile is the median over the rounds
     * (medians keep the order {@code p50 <= p90 <= ...}), the count is the sum, min and max are over all rounds.
     */
    public static Percentiles medianOf(List<Percentiles> rounds) {
        if (rounds.isEmpty()) {
            throw new IllegalArgumentException("no rounds");
        }
        if (rounds.size() == 1) {
            return rounds.get(0);
        }
        long count = 0;
        long min = Long.MAX_VALUE;
        long max = 0;
        for (Percentiles p : rounds) {
            count += p.count;
            min = Math.min(min, p.min);
            max = Math.max(max, p.max);
        }
        List<double[]> curve = new ArrayList<>();
        List<double[]> first = rounds.get(0).curve;
        for (int i = 0; i < first.size(); i++) {
            int at = i;
            double percentile = first.get(i)[0];
            double value = percentile >= 100 ? max : percentile <= 0 ? min
                    : median(rounds.stream().mapToDouble(p -> p.curve.get(at)[1]).toArray());
            curve.add(new double[] {percentile, value});
        }
        return new Percentiles(count, median(rounds.stream().mapToDouble(p -> p.mean).toArray()), min,
                (long) median(rounds.stream().mapToDouble(p -> p.p50).toArray()),
                (long) median(rounds.stream().mapToDouble(p -> p.p90).toArray()),
                (long) median(rounds.stream().mapToDouble(p -> p.p99).toArray()),
                (long) median(rounds.stream().mapToDouble(p -> p.p999).toArray()), max, curve);
    }

    /** The median (the mean of the middle two for an even count); NaN values are ignored, NaN if none is left. */
    public static double median(double[] values) {
        double[] v = java.util.Arrays.stream(values).filter(x -> !Double.isNaN(x)).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
