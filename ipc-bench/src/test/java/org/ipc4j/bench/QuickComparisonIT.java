package org.ipc4j.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.ipc4j.bench.harness.Comparison;
import org.ipc4j.bench.harness.ConsoleReport;
import org.ipc4j.bench.harness.HtmlReport;
import org.ipc4j.bench.harness.Mechanism;
import org.ipc4j.bench.harness.Mechanisms;
import org.ipc4j.bench.harness.Options;
import org.ipc4j.bench.harness.Percentiles;
import org.ipc4j.bench.harness.Results;
import org.ipc4j.testkit.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The quick comparison end to end, across real child JVMs, on every mechanism: each one that is available
 * here must produce real figures; each one that is not must say why.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class QuickComparisonIT {

    static Options quickOptions() {
        Options o = new Options().quick();
        String jar = System.getProperty("ipc4j.bench.jar");
        o.classPath = jar != null && Files.exists(Path.of(jar)) ? jar : ChildJvm.testClassPath();
        return o;
    }

    @Test
    void everyAvailableMechanismProducesPlausibleFigures() throws IOException {
        Set<String> before = ipcEntries();
        Options options = quickOptions();
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        Results.Run run = new Comparison(options, new PrintStream(progress, true, StandardCharsets.UTF_8))
                .run("QuickComparisonIT");

        assertThat(run.mechanisms()).extracting(Results.MechanismResult::id).containsExactlyElementsOf(Mechanisms.ids());
        long roundTripsAt32 = -1;
        for (Results.MechanismResult m : run.mechanisms()) {
            Mechanism mechanism = Mechanisms.byId(m.id());
            String unavailable = mechanism.unavailableReason();
            if (unavailable != null) {
                assertThat(m.skipped()).as(m.id()).isEqualTo(unavailable).isNotBlank();
                continue;
            }
            assertThat(m.failed()).as(m.id() + " failed").isNull();
            assertThat(m.skipped()).as(m.id()).isNull();
            assertThat(m.sizes()).as(m.id()).isNotEmpty();
            for (Results.SizeResult s : m.sizes()) {
                if (!s.ran()) {
                    assertThat(s.skipped()).as(m.id() + " " + s.size()).startsWith("n/a: ");
                    continue;
                }
                Percentiles p = s.latency();
                assertThat(p.p50()).as(m.id()).isPositive();
                assertThat(p.p50()).isLessThanOrEqualTo(p.p90());
                assertThat(p.p90()).isLessThanOrEqualTo(p.p99());
                assertThat(p.p99()).isLessThanOrEqualTo(p.p999());
                assertThat(p.p999()).isLessThanOrEqualTo(p.max());
                assertThat(p.min()).as("a round trip between processes takes time").isGreaterThan(10);
                if (s.size() == 32 || s.size() == 0) {
                    if (roundTripsAt32 < 0) {
                        roundTripsAt32 = p.count();
                    }
                    assertThat(p.count()).as(m.id() + ": same round trips as every mechanism").isEqualTo(roundTripsAt32);
                }
                if (mechanism.throughputLimit() == null) {
                    assertThat(s.messagesPerSecond()).as(m.id() + " msgs/s").isPositive();
                    if (mechanism.carriesData()) {
                        assertThat(s.megabytesPerSecond()).isCloseTo(s.messagesPerSecond() * s.size() / 1e6,
                                org.assertj.core.api.Assertions.within(1e-6 * s.messagesPerSecond() * s.size()));
                    }
                } else {
                    assertThat(s.messagesPerSecond()).isNaN();
                    assertThat(s.throughputSkipped()).isNotBlank();
                }
            }
        }
        // The references are always available on Linux: the run must have measured something real.
        assertThat(run.mechanism("cacheline").first()).isNotNull();
        assertThat(run.mechanism("agrona").first()).isNotNull();
        assertThat(run.machine().cores()).isPositive();
        assertThat(run.pinning()).matches("(applied|not applied): .+");

        String table = ConsoleReport.render(run);
        System.out.println(table); // kept in the failsafe report: what ran, and the figures
        for (Results.MechanismResult m : run.mechanisms()) {
            assertThat(table).contains(m.name());
            if (m.skipped() == null && !m.reference()) {
                assertThat(m.idle()).as(m.id() + " idle phase").isNotNull();
                if (!Double.isNaN(m.idle().threadPercent())) { // NaN: the wait was cut short (see Idle)
                    assertThat(m.idle().threadPercent()).as(m.id()).isBetween(0.0, 150.0);
                }
                assertThat(m.idle().gaps()).extracting(Results.GapResult::millis).containsExactly(10, 20, 100);
            }
        }
        for (String line : table.split("\n")) {
            assertThat(line.length()).as(line).isLessThanOrEqualTo(100);
        }
        assertThat(progress.toString(StandardCharsets.UTF_8)).contains("%").contains("left");
        Path html = Path.of("target", "quick-comparison.html");
        HtmlReport.write(run, html);
        assertThat(Files.readString(html)).contains("\"id\":\"cacheline\"");
        assertThat(ipcEntries()).as("no /dev/shm or /dev/mqueue entry left behind").isSubsetOf(before);
    }

    @Test
    void commandLineQuickRunPrintsTheTableAndWritesTheReport() throws Exception {
        Path html = Path.of("target", "cli-quick.html").toAbsolutePath();
        Files.deleteIfExists(html);
        String jar = System.getProperty("ipc4j.bench.jar");
        String cp = jar != null && Files.exists(Path.of(jar)) ? jar : ChildJvm.testClassPath();
        Process p = new ProcessBuilder(ChildJvm.javaExecutable().toString(),
                "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "-cp", cp, BenchMain.class.getName(),
                "--quick", "--mechanisms", "cacheline,agrona", "--sizes", "32", "--out", html.toString())
                .redirectErrorStream(false).start();
        byte[] err = new byte[0];
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out + new String(err, StandardCharsets.UTF_8)).isZero();
        assertThat(out).contains("ipc4j cross-process comparison", "Which one?", "cache-line floor", "Agrona",
                "HTML report:");
        assertThat(new String(err, StandardCharsets.UTF_8)).contains("[bench]");
        assertThat(html).exists();

        Process bad = new ProcessBuilder(ChildJvm.javaExecutable().toString(), "-cp", cp, BenchMain.class.getName(),
                "--sizes", "huge").redirectErrorStream(true).start();
        String badOut = new String(bad.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(bad.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(bad.exitValue()).isEqualTo(2);
        assertThat(badOut).contains("\"huge\"");
    }

    static Set<String> ipcEntries() throws IOException {
        Set<String> names = new HashSet<>();
        for (String dir : List.of("/dev/shm", "/dev/mqueue")) {
            Path d = Path.of(dir);
            if (Files.isDirectory(d)) {
                try (Stream<Path> s = Files.list(d)) {
                    // Only this JVM's names: other suites may be creating their own objects meanwhile.
                    String mine = "ipc4jb" + ProcessHandle.current().pid() + "x";
                    s.map(p -> p.getFileName().toString()).filter(n -> n.contains(mine)).forEach(names::add);
                }
            }
        }
        return names;
    }
}
