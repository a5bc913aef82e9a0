package org.ipc4j.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.ipc4j.bench.harness.Comparison;
import org.ipc4j.bench.harness.HtmlReport;
import org.ipc4j.bench.harness.Options;
import org.ipc4j.bench.harness.Results;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opens a generated report in real headless Chromium and checks what a reader would see: the page renders,
 * its charts are drawn (SVG paths per series), and no script error happened (neither in the page's own error
 * box nor in the browser's console log). Without Chromium the test is skipped, except on CI, where it must
 * run.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class ReportBrowserIT {
    private static String chromium;

    @TempDir
    Path dir;

    @BeforeAll
    static void findChromium() {
        for (String name : List.of("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")) {
            for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
                if (chromium == null && Files.isExecutable(Path.of(d, name))) {
                    chromium = Path.of(d, name).toString();
                }
            }
        }
        if (chromium == null && System.getenv("CI") != null) {
            throw new IllegalStateException("CI is set but no chromium is installed: the report must be checked in a browser");
        }
        assumeTrue(chromium != null, "chromium not installed (apt-get install chromium); the browser check is skipped");
    }

    /** What Chromium made of a page: the DOM after scripts ran, and its log on stderr. */
    record Page(String dom, String log) {
    }

    Page open(Path html) throws Exception {
        Path profile = Files.createDirectories(dir.resolve("profile-" + System.nanoTime()));
        List<String> cmd = new ArrayList<>(List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000",
                "--dump-dom", html.toUri().toString()));
        Process p = new ProcessBuilder(cmd).start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        });
        String dom = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish within 90 s");
        }
        return new Page(dom, err.get(10, TimeUnit.SECONDS));
    }

    /** Console errors as Chromium logs them with --enable-logging=stderr. */
    static List<String> consoleErrors(String log) {
        List<String> errors = new ArrayList<>();
        for (String line : log.split("\n")) {
            if (line.contains("CONSOLE") && (line.contains("Uncaught") || line.contains("Error"))) {
                errors.add(line);
            }
        }
        return errors;
    }

    @Test
    void generatedReportRendersItsChartsWithoutErrors() throws Exception {
        Options o = QuickComparisonIT.quickOptions();
        o.mechanisms = List.of("cacheline", "agrona", "shm", "tcp", "sem-c");
        o.rounds = 2; // also draws the per-round ring ratios
        Results.Run run = new Comparison(o, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
                .run("ReportBrowserIT");
        Path html = dir.resolve("report.html");
        HtmlReport.write(run, html);

        Page page = open(html);
        assertThat(page.dom()).as("chromium printed the DOM").contains("<body");
        Matcher rendered = Pattern.compile("data-rendered=\"(\\d+)\"").matcher(page.dom());
        assertThat(rendered.find()).isTrue();
        // Two latency charts (32 B, 4 KiB), p50 by size, two throughput charts.
        assertThat(Integer.parseInt(rendered.group(1))).as("charts drawn").isGreaterThanOrEqualTo(4);
        assertThat(page.dom()).contains("data-chart=\"latency-32\"", "data-chart=\"throughput-mb\"");
        long series = Pattern.compile("<path class=\"series\"").matcher(page.dom()).results().count();
        assertThat(series).as("curves drawn").isGreaterThanOrEqualTo(4);
        assertThat(page.dom()).contains("data-series=\"cacheline\"", "data-series=\"agrona\"");
        assertThat(page.dom()).contains("<pre id=\"errors\" hidden=\"\"></pre>");
        assertThat(consoleErrors(page.log())).isEmpty();
        assertThat(page.dom()).contains("cache-line ping-pong (floor)").contains(run.machine().cpuModel());
        assertThat(page.dom()).contains("Rings against references").containsPattern("<td>shm</td><td>agrona</td>")
                .contains("2 rounds in rotated order");
    }

    @Test
    void theCheckSeesABrokenPage() throws Exception {
        // The same template with a script error injected: the check above must be able to fail.
        Results.Run run = new Results.Run(org.ipc4j.bench.harness.Machine.current(), "not applied: test", "x", "now",
                0, List.of(32), List.of(), List.of());
        String html = HtmlReport.render(run).replace("var rendered = 0;", "var rendered = 0; undefinedFunction();");
        Path file = dir.resolve("broken.html");
        Files.writeString(file, html);
        Page page = open(file);
        assertThat(page.dom()).contains("data-rendered=\"0\"");
        assertThat(page.dom()).contains("undefinedFunction");
        assertThat(page.dom()).doesNotContain("<pre id=\"errors\" hidden=\"\"></pre>");
        assertThat(consoleErrors(page.log())).isNotEmpty();
    }
}
