package org.ipc4j.semaphore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Programs that are not ipc4j share named semaphores with Java: a C program built with gcc now, and Python
 * through ctypes. Java creates PING, the peer creates PONG (exclusive, 0600) and Java opens it by name;
 * then they ping-pong.
 */
@Timeout(60)
class SemaphorePeerIT {
    private static final int ROUNDS = 1000;

    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    @Test
    void cProgramPostsAndWaitsOnTheSameSemaphores() throws Exception {
        assumeTrue(onPath("gcc") || System.getenv("CI") != null, "gcc is not installed");
        Path source = Path.of("src", "test", "c", "sem_peer.c").toAbsolutePath();
        Path binary = Path.of("target", "sem_peer").toAbsolutePath();
        Process gcc = new ProcessBuilder("gcc", "-O2", "-Wall", "-Werror", "-o", binary.toString(), source.toString(),
                "-pthread").redirectErrorStream(true).start();
        String gccOutput = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(gcc.waitFor()).as("gcc: " + gccOutput).isZero();
        pingPong(List.of(binary.toString()));
    }

    @Test
    void pythonCtypesPostsAndWaitsOnTheSameSemaphores() throws Exception {
        assumeTrue(onPath("python3") || System.getenv("CI") != null, "python3 is not installed");
        Path script = Path.of("src", "test", "resources", "sem_peer.py").toAbsolutePath();
        pingPong(List.of("python3", script.toString()));
    }

    private void pingPong(List<String> peerCommand) throws Exception {
        String pingName = names.unique("pping");
        String pongName = names.unique("ppong");
        names.onCleanup(() -> NamedSemaphore.unlink(pingName));
        names.onCleanup(() -> NamedSemaphore.unlink(pongName));
        NamedSemaphore ping = names.closeAfter(NamedSemaphore.create(pingName, 0));
        List<String> command = new java.util.ArrayList<>(peerCommand);
        command.addAll(List.of("/" + pingName, "/" + pongName, Integer.toString(ROUNDS)));
        Process peer = new ProcessBuilder(command).redirectErrorStream(true).start();
        names.onCleanup(peer::destroyForcibly);
        BufferedReader out = new BufferedReader(new InputStreamReader(peer.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).isEqualTo("READY");
        try (NamedSemaphore pong = NamedSemaphore.open(pongName)) {
            assertThat(Files.getPosixFilePermissions(Path.of("/dev/shm", "sem." + pongName)))
                    .hasSize(2); // owner read and write, set by the peer
            for (int i = 0; i < ROUNDS; i++) {
                ping.release();
                assertThat(pong.tryAcquire(Duration.ofSeconds(20))).as("round %d", i).isTrue();
            }
            assertThat(peer.waitFor(20, TimeUnit.SECONDS)).isTrue();
            String rest = new String(peer.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(peer.exitValue()).as(rest).isZero();
            assertThat(rest).contains("DONE");
            assertThat(pong.value()).isZero();
        }
        assertThat(ping.value()).isZero();
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
