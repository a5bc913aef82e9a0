package org.ipc4j.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.ipc4j.testkit.ChildJvm;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A test that listens: child JVMs open every mechanism (shm, mq, fifo, unix, tcp, sem, and a pipe to a child
 * JVM of their own) and make a round trip over each, on JDK 17 and JDK 25, with and without an SLF4J binding
 * on the class path; any line on their standard output or error fails the test. The one exception is the
 * JDK's own notice, on JDK 24 and later, that JNA loaded its native library without
 * {@code --enable-native-access}; with that flag not even it may appear. The JDK 25 runs also deny
 * {@code sun.misc.Unsafe} memory access ({@code --sun-misc-unsafe-memory-access=deny}), as JDKs after 25 do
 * by default: nothing of ipc4j may need it.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class QuietStartIT {
    static final Path JDK17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64");
    static final Path JDK25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");

    /**
     * The JDK's notice for a restricted method (System.load by JNA), four lines, the only lines allowed; the
     * pipe's worker JVM prints it too, which its parent passes on with a prefix naming the worker.
     */
    private static final Pattern NATIVE_ACCESS_NOTICE = Pattern.compile("WARNING: (?:"
            + "A restricted method in java\\.lang\\.System has been called"
            + "|java\\.lang\\.System::load(?:Library)? has been called by com\\.sun\\.jna\\.\\S+ in an unnamed module.*"
            + "|Use --enable-native-access=ALL-UNNAMED to avoid a warning for callers in this module"
            + "|Restricted methods will be blocked in a future release unless native access is enabled)");
    /** How the pipe's parent logs a line of its worker's standard error: a prefix naming the worker. */
    private static final Pattern CHILD_PREFIX = Pattern.compile("^.*\\[[^\\]]+ pid \\d+\\] ?");

    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    static Stream<Arguments> runs() {
        List<Arguments> runs = new ArrayList<>();
        for (boolean binding : new boolean[] {false, true}) {
            runs.add(Arguments.of("JDK 17", JDK17, binding, List.of()));
            runs.add(Arguments.of("JDK 25", JDK25, binding, List.of("--sun-misc-unsafe-memory-access=deny")));
            runs.add(Arguments.of("JDK 25", JDK25, binding,
                    List.of("--sun-misc-unsafe-memory-access=deny", "--enable-native-access=ALL-UNNAMED")));
        }
        return runs.stream();
    }

    @ParameterizedTest(name = "{0}, SLF4J binding {2}, {3}")
    @MethodSource("runs")
    void everyMechanismOpensWithoutALine(String jdkName, Path jdk, boolean binding, List<String> flags)
            throws Exception {
        Path java = jdk.resolve("bin").resolve("java");
        Assumptions.assumeTrue(Files.isExecutable(java), jdkName + " is not installed at " + jdk);
        String name = names.unique("quiet");
        String classPath = Arrays.stream(ChildJvm.testClassPath().split(File.pathSeparator))
                .filter(entry -> binding || !entry.contains("slf4j-simple"))
                .collect(Collectors.joining(File.pathSeparator));
        assertThat(classPath.contains("slf4j-simple")).as("the binding is on the test class path").isEqualTo(binding);
        List<String> command = new ArrayList<>(List.of(java.toString(), "-Xmx128m", "-XX:+UseSerialGC"));
        command.addAll(flags);
        command.addAll(List.of("-cp", classPath, QuietProbeTestApp.class.getName(), name));
        Path out = Files.createTempFile("ipc4j-quiet", ".out");
        Path err = Files.createTempFile("ipc4j-quiet", ".err");
        names.deleteAfter(out);
        names.deleteAfter(err);
        Process child = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("the probe ends").isTrue();
        } finally {
            child.destroyForcibly();
        }
        List<String> lines = new ArrayList<>(Files.readAllLines(out, StandardCharsets.UTF_8));
        lines.addAll(Files.readAllLines(err, StandardCharsets.UTF_8));
        String all = String.join("\n", lines);
        assertThat(child.exitValue()).as("%s exit code; output:\n%s", jdkName, all).isZero();
        boolean noticeAllowed = jdk.equals(JDK25) && !flags.contains("--enable-native-access=ALL-UNNAMED");
        List<String> unexpected = noticeAllowed ? withoutNotices(lines) : lines;
        assertThat(unexpected).as("%s printed, besides the JDK's native-access notice:\n%s", jdkName, all).isEmpty();
    }

    /** The lines that are not the JDK's native-access notice (nor the blank line it ends with). */
    private static List<String> withoutNotices(List<String> lines) {
        List<String> unexpected = new ArrayList<>();
        boolean afterNotice = false;
        for (String line : lines) {
            String text = CHILD_PREFIX.matcher(line).replaceFirst("").strip();
            if (NATIVE_ACCESS_NOTICE.matcher(text).matches()) {
                afterNotice = true;
            } else if (text.isEmpty() && afterNotice) {
                afterNotice = false;
            } else {
                unexpected.add(line);
            }
        }
        return unexpected;
    }
}
