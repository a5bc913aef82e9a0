package org.ipc4j.bench.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class OptionsTest {

    @Test
    void defaultsCoverEveryMechanismAndSizesFrom32BytesTo1MiB() {
        Options o = Options.parse(List.of());
        assertThat(o.mechanisms).containsExactlyElementsOf(Mechanisms.ids());
        assertThat(o.sizes).containsExactly(32, 1024, 65_536, 1 << 20);
        assertThat(o.pin).isTrue();
    }

    @Test
    void parsesEveryOption() {
        Options o = Options.parse(List.of("--mechanisms", "tcp,agrona", "--sizes", "1k,32", "--round-trips", "500",
                "--messages", "1_000", "--out", "x.html", "--json", "x.json", "--no-pin", "--rounds", "3"));
        assertThat(o.mechanisms).containsExactly("tcp", "agrona");
        assertThat(o.sizes).containsExactly(32, 1024);
        assertThat(o.roundTrips).isEqualTo(500);
        assertThat(o.messages).isEqualTo(1000);
        assertThat(o.html).isEqualTo(Path.of("x.html"));
        assertThat(o.json).isEqualTo(Path.of("x.json"));
        assertThat(o.pin).isFalse();
        assertThat(o.rounds).isEqualTo(3);
        assertThat(Options.parse(List.of()).rounds).isEqualTo(1);
        assertThatThrownBy(() -> Options.parse(List.of("--rounds", "0"))).hasMessageContaining("--rounds");
    }

    @Test
    void quickModeIsSmallAndKeepsTheFullReport() {
        Options o = Options.parse(List.of("--quick"));
        assertThat(o.quick).isTrue();
        assertThat(o.sizes).containsExactly(32, 4096);
        assertThat(o.roundTrips).isLessThanOrEqualTo(500);
        assertThat(o.html).isEqualTo(Options.QUICK_REPORT).isNotEqualTo(Options.FULL_REPORT);
        assertThat(Options.parse(List.of()).html).isEqualTo(Options.FULL_REPORT);
        assertThat(Options.parse(List.of("--quick", "--out", "q.html")).html).isEqualTo(Path.of("q.html"));
        assertThat(Options.parse(List.of("--quick", "--sizes", "64")).sizes).as("explicit sizes win").containsExactly(64);
        assertThat(Options.parse(List.of("--no-idle")).idle).isNull();
    }

    @Test
    void helpAndUsage() {
        assertThat(Options.parse(List.of("--help")).help).isTrue();
        assertThat(Options.parse(List.of("-h")).help).isTrue();
        String usage = Options.usage();
        assertThat(usage).contains("--quick", "--mechanisms", "--warmup", "jmh", "list", "shm,shm-bytes");
        for (String line : usage.split("\n")) {
            assertThat(line.length()).as(line).isLessThanOrEqualTo(100);
        }
    }

    @Test
    void theFirstStepWarmsTheJitUp() {
        Options o = Options.parse(List.of());
        Step first = o.firstStep(o.step(Mechanisms.byId("mq"), 32));
        assertThat(first.warmup()).isEqualTo(o.jitWarmup);
        assertThat(first.roundTrips()).isEqualTo(o.roundTrips);
        Step large = o.firstStep(o.step(Mechanisms.byId("tcp"), 1 << 20));
        assertThat(large.warmup()).as("scaled down like the round trips").isLessThan(o.jitWarmup);
    }

    @Test
    void badArgumentsAreNamed() {
        assertThatThrownBy(() -> Options.parse(List.of("--bogus"))).hasMessageContaining("--bogus");
        assertThatThrownBy(() -> Options.parse(List.of("--mechanisms", "carrier-pigeon")))
                .hasMessageContaining("carrier-pigeon");
        assertThatThrownBy(() -> Options.parse(List.of("--round-trips", "0"))).hasMessageContaining("\"0\"");
        assertThatThrownBy(() -> Options.parse(List.of("--round-trips"))).hasMessageContaining("Missing required parameter");
    }

    @Test
    void everyMechanismGetsTheSameCountsAtASize() {
        Options o = Options.parse(List.of());
        for (int size : o.sizes) {
            Step tcp = o.step(Mechanisms.byId("tcp"), size);
            Step agrona = o.step(Mechanisms.byId("agrona"), size);
            Step udp = o.step(Mechanisms.byId("udp"), size);
            assertThat(agrona.roundTrips()).isEqualTo(tcp.roundTrips()).isEqualTo(udp.roundTrips());
            assertThat(agrona.warmup()).isEqualTo(tcp.warmup());
            assertThat(agrona.messages()).isEqualTo(tcp.messages()).isEqualTo(udp.messages());
        }
        assertThat(o.step(Mechanisms.byId("tcp"), 1 << 20).roundTrips())
                .isLessThan(o.step(Mechanisms.byId("tcp"), 32).roundTrips())
                .isGreaterThanOrEqualTo(o.minRoundTrips);
        assertThat(o.step(Mechanisms.byId("cacheline"), 0).messages()).as("no throughput phase for the floor").isZero();
    }

    @Test
    void stepsSurviveTheCommandLine() {
        List<Step> steps = List.of(new Step(32, 10, 100, 1000, 16), new Step(0, 50, 200, 0, 1));
        assertThat(Step.decode(Step.encode(steps))).isEqualTo(steps);
        assertThatThrownBy(() -> Step.decode("1:2:3")).hasMessageContaining("1:2:3");
        assertThatThrownBy(() -> new Step(32, 0, 0, 0, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void cpuListsParse() {
        assertThat(Pinning.parseList("0-3,6")).containsExactly(0, 1, 2, 3, 6);
        assertThat(Pinning.parseList("1")).containsExactly(1);
        assertThat(Pinning.format(List.of(0, 2))).isEqualTo("0,2");
    }
}
