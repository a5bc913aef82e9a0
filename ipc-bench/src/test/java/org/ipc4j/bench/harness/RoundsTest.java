package org.ipc4j.bench.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.ipc4j.bench.harness.Results.MechanismResult;
import org.ipc4j.bench.harness.Results.PairRatio;
import org.ipc4j.bench.harness.Results.SizeResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Several rounds of one selection: medians per figure, and per-round ratios of a ring to a reference. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class RoundsTest {

    /** 1000 round trips: 989 at {@code fast} ns and 11 at {@code slow} ns, so p50 = fast and p99 = slow. */
    private static Percentiles latency(long fast, long slow) {
        Histogram h = new Histogram(3_600_000_000_000L, 3);
        h.recordValueWithCount(fast, 989);
        h.recordValueWithCount(slow, 11);
        return Percentiles.of(h);
    }

    private static MechanismResult ring(String id, long p50, long p99, double rate) {
        return new MechanismResult(id, id, "yes", "yes", "both", "test", false, null, null,
                List.of(new SizeResult(32, null, latency(p50, p99), rate, rate * 32 / 1e6, null)));
    }

    private static MechanismResult floor(long p50, long p99) {
        return new MechanismResult("cacheline", "floor", "no", "no", "none", "floor", true, null, null,
                List.of(new SizeResult(0, null, latency(p50, p99), Double.NaN, Double.NaN, "floor only")));
    }

    private static List<List<MechanismResult>> threeRounds() {
        List<List<MechanismResult>> rounds = new ArrayList<>();
        rounds.add(List.of(floor(100, 200), ring("agrona", 200, 1000, 1e6), ring("shm", 180, 800, 2e6)));
        rounds.add(List.of(floor(300, 600), ring("agrona", 600, 3000, 3e6), ring("shm", 660, 1500, 3e6)));
        rounds.add(List.of(floor(200, 400), ring("agrona", 400, 2000, 2e6), ring("shm", 400, 1000, 1e6)));
        return rounds;
    }

    @Test
    void mergedFiguresAreMediansOverTheRounds() {
        List<MechanismResult> merged = Comparison.merge(threeRounds());
        SizeResult shm = merged.get(2).at(32);
        assertThat(merged.get(2).id()).isEqualTo("shm");
        assertThat(shm.latency().count()).isEqualTo(3000);
        assertThat(shm.latency().p50()).isBetween(400L, 401L);
        assertThat(shm.latency().p99()).isBetween(1000L, 1001L);
        assertThat(shm.latency().max()).isBetween(1500L, 1501L); // the worst of all rounds, not a median
        assertThat(shm.latency().min()).isBetween(180L, 181L);
        assertThat(shm.messagesPerSecond()).isEqualTo(2e6);
        assertThat(merged.get(0).first().latency().p50()).isBetween(200L, 201L);
    }

    @Test
    void oneRoundIsPassedThrough() {
        List<List<MechanismResult>> one = List.of(threeRounds().get(0));
        assertThat(Comparison.merge(one)).isSameAs(one.get(0));
    }

    @Test
    void ratiosAreTakenWithinEachRound() {
        List<PairRatio> pairs = new ArrayList<>();
        Comparison.addPair(threeRounds(), pairs, "shm", "agrona");
        Comparison.addPair(threeRounds(), pairs, "shm", "cacheline");
        Comparison.addPair(threeRounds(), pairs, "shm-spin", "agrona"); // not in the run: no pair
        assertThat(pairs).hasSize(2);
        PairRatio vsAgrona = pairs.get(0);
        assertThat(vsAgrona.size()).isEqualTo(32);
        assertThat(vsAgrona.p50().get(0)).isCloseTo(0.9, within(0.01));
        assertThat(vsAgrona.p50().get(1)).isCloseTo(1.1, within(0.01));
        assertThat(vsAgrona.p99().get(1)).isCloseTo(0.5, within(0.01));
        assertThat(vsAgrona.throughput()).containsExactly(2.0, 1.0, 0.5);
        PairRatio vsFloor = pairs.get(1);
        assertThat(vsFloor.p50().get(0)).isCloseTo(1.8, within(0.02));
        assertThat(vsFloor.throughput()).isEmpty(); // the floor has no throughput

        // per-round ratios differ from the ratio of the medians: that is the point of keeping them
        assertThat(ConsoleReport.ratios(vsAgrona.p50())).isEqualTo("median 1.00 (rounds: 0.90 1.10 1.00)");
        assertThat(ConsoleReport.ratios(List.of(0.8))).isEqualTo("0.80");
    }

    @Test
    void reportsShowTheRoundsAndTheRatios() {
        List<PairRatio> pairs = new ArrayList<>();
        Comparison.addPair(threeRounds(), pairs, "shm", "agrona");
        Results.Run run = new Results.Run(new Machine(2, "Test CPU", "JDK x", "Linux y", "0.5"), "not applied: test",
                "java -jar x --rounds 3", "2026-01-01T00:00:00Z", 1.5, List.of(32), Comparison.merge(threeRounds()),
                List.of(), 3, pairs);
        String text = ConsoleReport.render(run);
        assertThat(text).contains("rounds: 3").contains("shared memory / Agrona ring at 32 B")
                .contains("p50 median 1.00 (rounds: 0.90 1.10 1.00)").contains("msgs/s median 1.00 (rounds: 2.00 1.00 0.50)");
        String json = Json.of(run);
        assertThat(json).contains("\"rounds\":3").contains("\"pairs\":[{\"id\":\"shm\",\"reference\":\"agrona\",");
        assertThat(HtmlReport.render(run)).contains("\"throughput\":[2,1,0.5]");
    }
}
