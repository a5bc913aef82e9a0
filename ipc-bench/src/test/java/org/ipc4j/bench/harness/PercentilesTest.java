package org.ipc4j.bench.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class PercentilesTest {

    @Test
    void percentilesOfAUniformSpread() {
        Histogram h = new Histogram(3_600_000_000_000L, 3);
        for (int i = 1; i <= 10_000; i++) {
            h.recordValue(i * 100L); // 100 ns .. 1 ms, evenly
        }
        Percentiles p = Percentiles.of(h);
        assertThat(p.count()).isEqualTo(10_000);
        assertThat((double) p.p50()).isCloseTo(500_000, within(500.0));
        assertThat((double) p.p90()).isCloseTo(900_000, within(1_000.0));
        assertThat((double) p.p99()).isCloseTo(990_000, within(1_000.0));
        assertThat((double) p.p999()).isCloseTo(999_000, within(1_000.0));
        assertThat((double) p.max()).isCloseTo(1_000_000, within(1_000.0));
        assertThat(p.min()).isEqualTo(100);
        assertThat(p.mean()).isCloseTo(500_050, within(1_000.0));
    }

    @Test
    void curveRunsFromMinimumToMaximumAndNeverFalls() {
        Histogram h = new Histogram(3_600_000_000_000L, 3);
        for (int i = 0; i < 1000; i++) {
            h.recordValue(1_000 + (i % 7) * 10);
        }
        h.recordValue(5_000_000);
        Percentiles p = Percentiles.of(h);
        List<double[]> curve = p.curve();
        assertThat(curve.get(0)[0]).isZero();
        assertThat(curve.get(0)[1]).isEqualTo(p.min());
        assertThat(curve.get(curve.size() - 1)[0]).isEqualTo(100.0);
        assertThat(curve.get(curve.size() - 1)[1]).isEqualTo(p.max());
        for (int i = 1; i < curve.size(); i++) {
            assertThat(curve.get(i)[0]).isGreaterThan(curve.get(i - 1)[0]);
            assertThat(curve.get(i)[1]).isGreaterThanOrEqualTo(curve.get(i - 1)[1]);
        }
    }

    @Test
    void emptyHistogramIsAnError() {
        assertThatThrownBy(() -> Percentiles.of(new Histogram(3))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no round trips");
    }

    @Test
    void outOfOrderFiguresAreRejected() {
        assertThatThrownBy(() -> new Percentiles(1, 1, 1, 10, 5, 20, 30, 40, List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out of order");
    }
}
