package org.ipc4j.shm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.ipc4j.api.Channel;
import org.ipc4j.api.Ipc;
import org.ipc4j.testkit.ChildJvm;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Keeps the README's quick start honest: its two halves run here in two JVMs, with a fresh name in place
 * of "orders", and every code line of the README's quick start must appear in this file.
 */
@Timeout(120)
class ReadmeQuickStartIT {

    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    /** Process 2 of the quick start; exits 0 only if it received the order it expects. */
    public static final class Process2TestApp {
        public static void main(String[] args) throws Exception {
            String orders = args[0];
            byte[] order;
            // --- README process 2 (with the name from args) ---
            try (Channel channel = Ipc.open("shm:" + orders)) {
                order = channel.receive();
                channel.send("accepted".getBytes(StandardCharsets.UTF_8));
            }
            System.exit(new String(order, StandardCharsets.UTF_8).equals("order 42") ? 0 : 3);
        }
    }

    @Test
    void theQuickStartRunsAcrossTwoProcesses() throws Exception {
        String orders = names.unique("orders");
        names.onCleanup(() -> SharedMemory.unlink(orders));
        byte[] reply;
        // --- README process 1 (with a fresh name) ---
        try (Channel channel = Ipc.open("shm:" + orders + "?capacity=1m")) {
            try (ChildJvm process2 = ChildJvm.start(Process2TestApp.class, orders)) {
                channel.send("order 42".getBytes(StandardCharsets.UTF_8));
                reply = channel.receive(Duration.ofSeconds(30));
                assertThat(process2.waitFor(Duration.ofSeconds(60))).as(process2.output()).isZero();
            }
        }
        assertThat(reply).isNotNull();
        assertThat(new String(reply, StandardCharsets.UTF_8)).isEqualTo("accepted");
    }

    @Test
    void everyCodeLineOfTheReadmeQuickStartIsExercisedHere() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        String quickStart = readme.substring(readme.indexOf("## Quick start"));
        quickStart = quickStart.substring(quickStart.indexOf("```java") + 7);
        quickStart = quickStart.substring(0, quickStart.indexOf("```"));
        String self = Files.readString(Path.of("src", "test", "java", "org", "ipc4j", "shm", "ReadmeQuickStartIT.java"));
        String normalisedSelf = self.replace("\"shm:\" + orders + \"?capacity=1m\"", "\"shm:orders?capacity=1m\"")
                .replace("\"shm:\" + orders", "\"shm:orders\"").replaceAll("\\s+", " ");
        for (String line : quickStart.split("\n")) {
            String code = line.replaceAll("//.*", "").trim();
            if (code.isEmpty() || code.equals("}")) {
                continue;
            }
            code = code.replace("byte[] reply = ", "reply = ").replace("byte[] order = ", "order = ");
            assertThat(normalisedSelf).as("README line \"%s\" is exercised by this test", line.trim())
                    .contains(code.replaceAll("\\s+", " "));
        }
    }
}
