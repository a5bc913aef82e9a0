package org.ipc4j.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.ipc4j.testkit.ChildJvm;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The README's promise, literally: its two quick-start programs, differing in nothing but the address, work
 * over every two-party scheme, whichever starts first, three times in a row on one address with no clean-up
 * by hand in between, and leave nothing behind.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class QuickStartAddressesIT {
    private static final Duration PATIENCE = Duration.ofSeconds(90);
    /** How long the first program has to itself before the second starts: it opens first. */
    private static final long HEAD_START_MILLIS = 300;

    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"shm", "mq", "fifo", "unix", "tcp"})
    void theQuickStartRunsOnEveryAddressInBothOrdersThreeTimesInARow(String scheme) throws Exception {
        Place place = place(scheme);
        for (int run = 1; run <= 3; run++) {
            for (String first : List.of("1", "2")) {
                pair(place.address, first, "run " + run + ", process " + first + " first");
            }
        }
        place.assertLeftNothing();
    }

    private static void pair(String address, String first, String what) throws Exception {
        String second = first.equals("1") ? "2" : "1";
        try (ChildJvm a = ChildJvm.start(QuickStartTestApp.class, first, address)) {
            a.awaitOutput(QuickStartTestApp.OPENING, PATIENCE);
            Thread.sleep(HEAD_START_MILLIS);
            try (ChildJvm b = ChildJvm.start(QuickStartTestApp.class, second, address)) {
                ChildJvm one = first.equals("1") ? a : b;
                ChildJvm two = first.equals("1") ? b : a;
                assertThat(one.waitFor(PATIENCE)).as("%s on %s: process 1\n%s\nprocess 2\n%s", what, address,
                        one.output(), two.output()).isZero();
                assertThat(two.waitFor(PATIENCE)).as("%s on %s: process 2\n%s", what, address, two.output()).isZero();
                assertThat(one.output()).as("%s on %s", what, address).contains("REPLY accepted");
                assertThat(two.output()).as("%s on %s", what, address).contains("ORDER order 42");
            }
        }
    }

    /** An address of the scheme under a fresh name, and the files it may leave (none may be left). */
    private record Place(String address, List<Path> files, String prefix) {
        void assertLeftNothing() throws IOException {
            for (Path p : files) {
                assertThat(Files.exists(p, LinkOption.NOFOLLOW_LINKS)).as("%s left %s", address, p).isFalse();
            }
            for (Path dir : List.of(Path.of("/dev/shm"), Path.of("/dev/mqueue"), Path.of(System.getProperty("java.io.tmpdir")))) {
                if (!Files.isDirectory(dir)) {
                    continue;
                }
                try (Stream<Path> entries = Files.list(dir)) {
                    assertThat(entries.filter(p -> p.getFileName().toString().contains(prefix)))
                            .as("%s left entries in %s", address, dir).isEmpty();
                }
            }
        }
    }

    private Place place(String scheme) throws IOException {
        String name = names.unique("qs");
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        return switch (scheme) {
            case "shm" -> new Place("shm:" + name, List.of(), name);
            case "mq" -> new Place("mq:/" + name, List.of(), name);
            case "fifo" -> {
                Path fifo = tmp.resolve(name + ".fifo");
                names.deleteAfter(fifo);
                yield new Place("fifo:" + fifo, List.of(fifo), name);
            }
            case "unix" -> {
                Path sock = tmp.resolve(name + ".sock");
                names.deleteAfter(sock);
                yield new Place("unix:" + sock, List.of(sock), name);
            }
            case "tcp" -> new Place("tcp://127.0.0.1:" + freePort(), List.of(), name);
            default -> throw new IllegalArgumentException(scheme);
        };
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void everyCodeLineOfTheReadmeQuickStartIsTheTestAppsCode() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        String quickStart = readme.substring(readme.indexOf("## Quick start"));
        quickStart = quickStart.substring(quickStart.indexOf("```java") + 7);
        quickStart = quickStart.substring(0, quickStart.indexOf("```"));
        String app = Files.readString(Path.of("src", "test", "java", "org", "ipc4j", "bench", "QuickStartTestApp.java"))
                .replaceAll("\\s+", " ");
        List<String> checked = new ArrayList<>();
        for (String line : quickStart.split("\n")) {
            String code = line.trim();
            if (code.isEmpty() || code.equals("}") || code.startsWith("// process")) {
                continue;
            }
            code = code.replace("Ipc.open(\"shm:orders\")", "Ipc.open(address)")
                    .replace("byte[] reply = ", "reply = ").replace("byte[] order = ", "order = ");
            assertThat(app).as("README line \"%s\" is the test app's code", line.trim()).contains(code.replaceAll("\\s+", " "));
            checked.add(code);
        }
        assertThat(checked).as("the README's quick start has code lines").hasSizeGreaterThanOrEqualTo(6);
    }
}
