package org.ipc4j.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.ipc4j.testkit.ChildJvm;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two ipc4j processes that share an address and a key file meet and talk; with different keys neither gets a
 * channel: the connecting one fails with {@link AuthenticationFailedException}, and the listening one says at its
 * timeout that the only peer it met failed the handshake.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class AuthkeyIT {
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    @ParameterizedTest
    @ValueSource(strings = {"unix", "tcp"})
    void twoProcessesWithTheSameKeyFileMeet(String scheme) throws Exception {
        String address = address(scheme) + "authkeyFile=" + keyFile("same key");
        CompletableFuture<String> mine = meetInBackground(address);
        try (ChildJvm child = ChildJvm.start(RendezvousTestApp.class, address)) {
            assertThat(child.waitFor(PATIENCE)).as("child exit code\n" + child.output()).isZero();
            assertThat(mine.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).contains("heard: hello from " + child.pid());
            assertThat(child.output()).contains("heard: hello from " + ProcessHandle.current().pid());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"unix", "tcp"})
    void twoProcessesWithDifferentKeysGetNoChannel(String scheme) throws Exception {
        String place = address(scheme) + "timeout=4s&authkeyFile=";
        CompletableFuture<String> mine = meetInBackground(place.replace("?", "?role=a&") + keyFile("one key"));
        try (ChildJvm child = ChildJvm.start(RendezvousTestApp.class,
                place.replace("?", "?role=b&") + keyFile("another key"))) {
            assertThat(child.waitFor(PATIENCE)).as("child exit code\n" + child.output()).isEqualTo(1);
            assertThat(child.output()).contains("AuthenticationFailedException")
                    .contains("the peer rejected our answer to its challenge").doesNotContain("another key");
        }
        assertThatThrownBy(() -> mine.get(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                .hasRootCauseInstanceOf(AuthenticationFailedException.class)
                .rootCause().hasMessageContaining("no peer passed the authkey handshake").hasMessageContaining("1 refused");
    }

    private String address(String scheme) throws Exception {
        if (scheme.equals("unix")) {
            Path path = names.uniquePath("authit", ".sock");
            names.deleteAfter(path);
            return "unix:" + path + "?";
        }
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "tcp://127.0.0.1:" + s.getLocalPort() + "?";
        }
    }

    private Path keyFile(String key) throws Exception {
        Path file = names.uniquePath("authit", ".key");
        Files.write(file, key.getBytes(StandardCharsets.UTF_8));
        names.deleteAfter(file);
        return file;
    }

    private static CompletableFuture<String> meetInBackground(String address) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return RendezvousTestApp.meet(address);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
