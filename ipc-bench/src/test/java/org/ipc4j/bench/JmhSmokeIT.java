package org.ipc4j.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every JMH benchmark in the jar runs to the end and measures something: one short iteration each, in this
 * JVM (no fork), so that a benchmark that hangs (a producer spinning on a full ring after its consumer
 * stopped) or throws is caught by the build, not by the person running it. Not a measurement.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class JmhSmokeIT {

    @Test
    void everyBenchmarkRunsAndScores() throws Exception {
        Options options = new OptionsBuilder().include("org\\.ipc4j\\.bench\\.jmh\\..*").forks(0)
                .warmupIterations(0).measurementIterations(1).measurementTime(TimeValue.milliseconds(300))
                .shouldFailOnError(true).build();
        Collection<RunResult> results = new Runner(options).run();
        Map<String, Double> scores = new TreeMap<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            scores.put(name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1), r.getPrimaryResult().getScore());
            r.getSecondaryResults().forEach((k, v) -> scores.put(name.substring(name.lastIndexOf('.') + 1) + ":" + k,
                    v.getScore()));
        }
        assertThat(scores).containsKeys("RingThroughput.agronaSpsc", "RingThroughput.ipc4jSpsc",
                "RingThroughput.agronaMpsc2", "RingThroughput.ipc4jMpsc2", "RingOperations.agronaClaimCommit",
                "RingOperations.ipc4jClaimCommit", "RingOperations.agronaBatchRead", "RingOperations.ipc4jBatchRead",
                "RingRoundTrip.agrona", "RingRoundTrip.ipc4j");
        assertThat(scores).containsKeys("agronaSpsc:offer", "ipc4jSpsc:offer", "agrona:ping", "ipc4j:ping");
        scores.forEach((name, score) -> {
            if (!name.contains(":poll") && !name.contains(":pong")) {
                assertThat(score).as(name).isPositive().isFinite();
            }
        });
    }
}
