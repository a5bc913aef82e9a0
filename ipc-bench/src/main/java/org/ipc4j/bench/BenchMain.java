package org.ipc4j.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import org.ipc4j.api.Capability;
import org.ipc4j.api.Ipc;
import org.ipc4j.bench.harness.Comparison;
import org.ipc4j.bench.harness.ConsoleReport;
import org.ipc4j.bench.harness.HtmlReport;
import org.ipc4j.bench.harness.Json;
import org.ipc4j.bench.harness.Options;
import org.ipc4j.bench.harness.Progress;
import org.ipc4j.bench.harness.Results;

/**
 * Entry point of the runnable benchmarks jar.
 *
 * <ul>
 *   <li>{@code java -jar ipc4j-bench.jar [compare] [options]}: the cross-process comparison of every
 *       mechanism; prints the table on stdout, progress on stderr, writes the HTML report.</li>
 *   <li>{@code java -jar ipc4j-bench.jar jmh [JMH options]}: the JMH benchmarks of the shared-memory ring
 *       (hands the arguments to JMH's own main).</li>
 *   <li>{@code java -jar ipc4j-bench.jar list}: each mechanism and whether it works here.</li>
 * </ul>
 */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        List<String> rest = Arrays.asList(args);
        String command = rest.isEmpty() || rest.get(0).startsWith("-") ? "compare" : rest.get(0);
        if (!rest.isEmpty() && !rest.get(0).startsWith("-")) {
            rest = rest.subList(1, rest.size());
        }
        switch (command) {
            case "compare" -> System.exit(compare(rest));
            case "jmh" -> org.openjdk.jmh.Main.main(rest.toArray(new String[0]));
            case "list" -> {
                for (Capability c : Ipc.capabilities()) {
                    System.out.println(c);
                }
            }
            case "help" -> System.out.println(Options.usage());
            default -> {
                System.err.println("unknown command \"" + command + "\"\n" + Options.usage());
                System.exit(2);
            }
        }
    }

    static int compare(List<String> args) throws IOException {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        if (options.help) {
            System.out.println(Options.usage());
            return 0;
        }
        options.progressLine = Progress.stderrIsTerminal();
        String command = "java -jar ipc4j-bench.jar" + (args.isEmpty() ? "" : " " + String.join(" ", args));
        Results.Run run = new Comparison(options, System.err).run(command);
        System.out.print(ConsoleReport.render(run));
        HtmlReport.write(run, options.html);
        System.out.println("HTML report: " + options.html.toAbsolutePath()
                + (options.quick && options.html.equals(Options.QUICK_REPORT)
                        ? " (a quick run; a full run writes " + Options.FULL_REPORT + ")" : ""));
        if (options.json != null) {
            Files.writeString(options.json, Json.of(run), StandardCharsets.UTF_8);
            System.out.println("JSON: " + options.json.toAbsolutePath());
        }
        boolean failed = run.mechanisms().stream().anyMatch(m -> m.failed() != null);
        return failed ? 1 : 0;
    }
}
