package org.ipc4j.api.internal.posix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Compiles a small C program with gcc and runs it: the program prints {@code KEY=VALUE} lines, which come
 * back as a map. Tests that check Java's copy of a C value against the headers of this machine use it; they
 * are skipped where gcc is missing, except on CI, where gcc is required.
 */
final class CHeaders {
    private CHeaders() {
    }

    static Map<String, Long> values(Path dir, String program) throws IOException, InterruptedException {
        assumeTrue(onPath("gcc") || System.getenv("CI") != null, "gcc is not installed");
        Path source = dir.resolve("values.c");
        Path binary = dir.resolve("values");
        Files.writeString(source, program);
        String gccOutput = run(List.of("gcc", "-Wall", "-Werror", "-o", binary.toString(), source.toString(),
                "-lrt", "-pthread"), "gcc");
        String out = run(List.of(binary.toString()), "the compiled program");
        Map<String, Long> values = new HashMap<>();
        for (String line : out.split("\n")) {
            String[] kv = line.split("=", 2);
            assertThat(kv).as("line \"%s\" of the program (gcc said: %s)", line, gccOutput).hasSize(2);
            values.put(kv[0], Long.parseLong(kv[1].trim()));
        }
        return values;
    }

    private static String run(List<String> command, String what) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as(what + " finished").isTrue();
        assertThat(p.exitValue()).as(what + ": " + out).isZero();
        return out;
    }

    static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
