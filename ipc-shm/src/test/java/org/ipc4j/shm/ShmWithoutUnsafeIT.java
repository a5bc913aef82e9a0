package org.ipc4j.shm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.ipc4j.testkit.ChildJvm;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code shm:} needs neither Chronicle nor {@code sun.misc.Unsafe}: a round trip loads no Chronicle class
 * (Chronicle is on this module's test class path, so it would be found if anything asked for it), and runs
 * on JDK 25 with {@code --sun-misc-unsafe-memory-access=deny}, as JDKs after 25 do by default.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ShmWithoutUnsafeIT {
    private static final Path JDK25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64", "bin", "java");

    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    private String name() {
        String name = names.unique("nounsafe");
        names.onCleanup(() -> SharedMemory.unlink(name));
        return name;
    }

    @Test
    void aRoundTripLoadsNoChronicleClass() throws Exception {
        List<String> options = new ArrayList<>(ChildJvm.DEFAULT_JVM_OPTIONS);
        options.add("-Xlog:class+load=info");
        try (ChildJvm child = ChildJvm.start(options, ShmRoundTripTestApp.class, name())) {
            assertThat(child.waitFor(java.time.Duration.ofSeconds(60))).as(child.output()).isZero();
            assertThat(child.output()).contains(ShmRoundTripTestApp.DONE).contains("org.ipc4j.shm.internal.MappedMemory")
                    .doesNotContain("net.openhft");
        }
    }

    @Test
    void aRoundTripRunsOnJdk25WithUnsafeMemoryAccessDenied() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(JDK25), "JDK 25 is not installed at " + JDK25);
        List<String> command = new ArrayList<>(List.of(JDK25.toString(), "--sun-misc-unsafe-memory-access=deny",
                "--enable-native-access=ALL-UNNAMED", "-cp", ChildJvm.testClassPath(),
                ShmRoundTripTestApp.class.getName(), name()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output;
        try {
            output = p.getInputStream().readAllBytes();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly();
        }
        String text = new String(output, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(text).isZero();
        assertThat(text.strip()).as("nothing but the app's line").isEqualTo(ShmRoundTripTestApp.DONE);
    }
}
