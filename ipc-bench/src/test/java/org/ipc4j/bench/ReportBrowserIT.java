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
    /** A laptop's first screen, in CSS pixels. */
    static final int FIRST_SCREEN_WIDTH = 1280;
    static final int FIRST_SCREEN_HEIGHT = 800;
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
                "--window-size=" + FIRST_SCREEN_WIDTH + "," + FIRST_SCREEN_HEIGHT, "--hide-scrollbars",
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
        o.mechanisms = List.of("cacheline", "agrona", "shm", "shm-spin", "tcp", "mq", "mq-c");
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
        assertThat(page.dom()).contains("cache-line floor").contains(run.machine().cpuModel());
        assertThat(page.dom()).contains("Rings against references")
                .containsPattern("<td>shared memory</td><td>Agrona ring</td>").contains("2 rounds in rotated order");

        // The answer first: the recommendation table ends within the first screen, and names a mechanism.
        assertThat(page.dom()).contains("<h2 id=\"which\">Which one?</h2>");
        int bottom = attribute(page.dom(), "data-recommendation-bottom");
        // the page's own view of the first screen: the window less what the browser keeps for itself
        int screen = attribute(page.dom(), "data-viewport-height");
        assertThat(screen).isBetween(FIRST_SCREEN_HEIGHT / 2, FIRST_SCREEN_HEIGHT);
        assertThat(bottom).as("the recommendation ends on the first screen").isPositive().isLessThanOrEqualTo(screen);
        String answer = page.dom().substring(page.dom().indexOf("id=\"recommendation\""));
        answer = answer.substring(0, answer.indexOf("</table>"));
        assertThat(answer).contains("lowest latency", "many clients", "a kernel-held queue")
                .containsPattern("<td class=\"use\">(shared memory|TCP|Unix socket|message queue)</td>");
        // Reference rows stand apart from the transports.
        String transports = page.dom().substring(page.dom().indexOf("id=\"summary\""), page.dom().indexOf("id=\"references\""));
        assertThat(transports).doesNotContain("Agrona ring", "cache-line floor", "message queue in C");

        // Charts read at a glance: legends in names, never ids; a colour of its own for every line of a chart.
        Matcher legend = Pattern.compile("<text class=\"legend\"[^>]*>([^<]*)</text>").matcher(page.dom());
        List<String> legends = new ArrayList<>();
        while (legend.find()) {
            legends.add(legend.group(1));
        }
        assertThat(legends).isNotEmpty().doesNotContain("mq-c", "sem-c", "shm-spin", "cacheline", "agrona", "tcp");
        Matcher svg = Pattern.compile("<svg class=\"chart\" data-chart=\"([^\"]+)\"(.*?)</svg>", Pattern.DOTALL)
                .matcher(page.dom());
        int charts = 0;
        while (svg.find()) {
            charts++;
            List<String> strokes = new ArrayList<>();
            Matcher path = Pattern.compile("<path class=\"series\"[^>]*stroke=\"([^\"]+)\"").matcher(svg.group(2));
            while (path.find()) {
                strokes.add(path.group(1));
            }
            assertThat(strokes).as("colours in chart " + svg.group(1)).doesNotHaveDuplicates().hasSizeLessThanOrEqualTo(8);
        }
        assertThat(charts).isGreaterThanOrEqualTo(5);
    }

    static int attribute(String dom, String name) {
        Matcher m = Pattern.compile(name + "=\"(-?\\d+)\"").matcher(dom);
        assertThat(m.find()).as(name + " set by the page").isTrue();
        return Integer.parseInt(m.group(1));
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
