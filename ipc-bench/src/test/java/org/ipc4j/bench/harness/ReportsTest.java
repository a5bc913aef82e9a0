package org.ipc4j.bench.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.ipc4j.bench.harness.Results.FloorRatio;
import org.ipc4j.bench.harness.Results.MechanismResult;
import org.ipc4j.bench.harness.Results.SizeResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The console table, the JSON and the HTML page, rendered from a run built in memory. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ReportsTest {

    static Percentiles latency(long base) {
        Histogram h = new Histogram(3_600_000_000_000L, 3);
        for (int i = 0; i < 1000; i++) {
            h.recordValue(base + i);
        }
        return Percentiles.of(h);
    }

    static Results.Run sampleRun() {
        MechanismResult tcp = new MechanismResult("tcp", "TCP socket (loopback)", "yes", "yes", "both",
                "across hosts </script><b>", false, null, null,
                List.of(new SizeResult(32, null, latency(20_000), 100_000, 3.2, null),
                        new SizeResult(1 << 20, null, latency(900_000), 900, 943.7, null)));
        MechanismResult udp = new MechanismResult("udp", "UDP socket", "yes", "yes", "both", "datagrams", false, null,
                null, List.of(new SizeResult(32, null, latency(15_000), 80_000, 2.56, null),
                        new SizeResult(1 << 20, "n/a: larger than a UDP datagram (65507 B)", null, Double.NaN,
                                Double.NaN, null)));
        MechanismResult shm = new MechanismResult("shm", "shared-memory ring", "yes", "yes", "both", "fast", false,
                "module not on the class path: add org.ipc4j:ipc-shm", null, List.of());
        MechanismResult sem = new MechanismResult("sem", "semaphores", "no", "it is the sync", "none", "signal", false,
                null, null, List.of(new SizeResult(0, null, latency(11_000), 500_000, Double.NaN, null)));
        MechanismResult semC = new MechanismResult("sem-c", "semaphores in C", "no", "it is the sync", "none", "floor",
                true, null, null, List.of(new SizeResult(0, null, latency(10_000), Double.NaN, Double.NaN,
                        "latency floor only")));
        return new Results.Run(new Machine(2, "Test CPU", "JDK x", "Linux y", "0.5"), "not applied: test", "java -jar x",
                "2026-01-01T00:00:00Z", 1.5, List.of(32, 1 << 20), List.of(tcp, udp, shm, sem, semC),
                List.of(new FloorRatio("sem", "sem-c", 0, 11_500, 10_500, 9.52)));
    }

    @Test
    void consoleTableHasTheTextbookColumnsAndTheFigures() {
        String text = ConsoleReport.render(sampleRun());
        assertThat(text).contains("shares data", "needs sync", "direction", "typical use", "p50", "p99", "p99.9",
                "msgs/s", "MB/s");
        assertThat(text).contains("Test CPU").contains("not applied: test");
        assertThat(text).contains("20.5 us"); // tcp p50 at 32 B: 20000 + 500
        assertThat(text).contains("n/a: larger than a UDP datagram (65507 B)");
        assertThat(text).contains("skipped: module not on the class path: add org.ipc4j:ipc-shm");
        assertThat(text).contains("+9.5%");
        assertThat(text).contains("944"); // MB/s of the 1 MiB tcp step
        assertThat(text).doesNotContain("target");
        for (String line : text.split("\n")) {
            assertThat(line.length()).as("within 100 columns: " + line).isLessThanOrEqualTo(100);
        }
        // the recommendation comes first, then the transports, then the references apart
        assertThat(text.indexOf("Which one?")).isLessThan(text.indexOf("Transports, fastest first"));
        assertThat(text.indexOf("Transports, fastest first")).isLessThan(text.indexOf("References, not ipc4j"));
        String transports = text.substring(text.indexOf("Transports, fastest first"), text.indexOf("References, not"));
        assertThat(transports.indexOf("\nUDP ")).as("sorted by p50").isPositive().isLessThan(transports.indexOf("\nTCP "));
    }

    @Test
    void recommendationComesFromTheFigures() {
        List<Recommend.Choice> choices = Recommend.of(sampleRun());
        Recommend.Choice latency = choices.get(0);
        assertThat(latency.need()).isEqualTo("lowest latency");
        assertThat(latency.id()).isEqualTo("udp");
        assertThat(latency.reason()).contains("p50 15.5 us at 32 B", "TCP (20.5 us)");
        Recommend.Choice large = choices.get(1);
        assertThat(large.id()).isEqualTo("tcp");
        assertThat(large.reason()).contains("944 MB/s at 1 MiB");
        Recommend.Choice clients = choices.get(2);
        assertThat(clients.id()).isEqualTo("tcp");
        assertThat(clients.reason()).contains("the only candidate");
        assertThat(choices.get(4).id()).as("no mq in the run").isNull();
    }

    @Test
    void jsonEscapesWhatWouldBreakTheScriptElement() {
        String json = Json.of(sampleRun());
        assertThat(json).doesNotContain("</script>").contains("\\u003c/script\\u003e");
        assertThat(json).contains("\"id\":\"tcp\"").contains("\"mbPerSec\":null").containsPattern("\"p50\":205\\d\\d,");
        assertThat(Json.num(Double.NaN).isJsonNull()).isTrue();
        assertThat(json).contains("\"recommendations\":[").contains("\"name\":\"TCP\"");
    }

    @Test
    void htmlIsSelfContained() {
        String html = HtmlReport.render(sampleRun());
        assertThat(html).startsWith("<!DOCTYPE html>").contains("\"id\":\"udp\"");
        assertThat(html).doesNotContain("/*DATA*/");
        // No external resource of any kind: everything is inline.
        assertThat(html).doesNotContain("src=\"http").doesNotContain("href=\"http").doesNotContain("<link")
                .doesNotContain("@import").doesNotContain("url(");
    }
}
