package org.ipc4j.semaphore.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The constants and the {@code struct timespec} layout that LinuxLibc hard-codes agree with the C headers
 * of this machine (compiled with gcc now).
 */
@Timeout(60)
class LinuxLibcLayoutTest {

    @Test
    void constantsAndTimespecMatchTheCHeaders() throws Exception {
        assumeTrue(onPath("gcc") || System.getenv("CI") != null, "gcc is not installed");
        Path source = Path.of("src", "test", "c", "sem_layout.c").toAbsolutePath();
        Path binary = Path.of("target", "sem_layout").toAbsolutePath();
        Process gcc = new ProcessBuilder("gcc", "-Wall", "-Werror", "-o", binary.toString(), source.toString(),
                "-pthread").redirectErrorStream(true).start();
        String gccOutput = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(gcc.waitFor()).as("gcc: " + gccOutput).isZero();
        Process run = new ProcessBuilder(binary.toString()).redirectErrorStream(true).start();
        String out = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(run.waitFor()).as(out).isZero();
        Map<String, Long> c = new HashMap<>();
        out.lines().map(l -> l.split("=")).forEach(kv -> c.put(kv[0], Long.parseLong(kv[1])));

        assertThat(c.get("O_CREAT")).isEqualTo(LinuxLibc.O_CREAT);
        assertThat(c.get("O_EXCL")).isEqualTo(LinuxLibc.O_EXCL);
        assertThat(c.get("SEM_VALUE_MAX")).isEqualTo(LinuxLibc.SEM_VALUE_MAX);
        assertThat(c.get("SEM_FAILED")).isEqualTo(LinuxLibc.SEM_FAILED);
        // sem_timedwait takes a long[2]: {tv_sec, tv_nsec}, 8 bytes each.
        assertThat(c.get("sizeof_timespec")).isEqualTo(16L);
        assertThat(c.get("offsetof_tv_nsec")).isEqualTo(8L);
        assertThat(c.get("sizeof_tv_sec")).isEqualTo(8L);
    }

    @Test
    void errnoOfADirectCallIsReadAfterTheFailure() throws Exception {
        // sem_unlink of a name that does not exist: -1 and ENOENT, reported as "no name removed".
        assertThat(PosixSemaphore.unlink("/ipc4j-never-created-" + ProcessHandle.current().pid())).isFalse();
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
