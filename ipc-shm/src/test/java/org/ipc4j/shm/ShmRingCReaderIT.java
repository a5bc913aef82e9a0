package org.ipc4j.shm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A C consumer written from docs/shm-format.md alone (src/test/c/ring_reader.c, built with gcc here) reads
 * what a Java producer writes, across wrap-arounds and padding records: the format description is
 * complete and the Java side follows it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShmRingCReaderIT {
    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    private static boolean gccAvailable() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, "gcc"))) {
                return true;
            }
        }
        return false;
    }

    private static long fnv1a(byte[] bytes, int length) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < length; i++) {
            h ^= bytes[i] & 0xFF;
            h *= 0x100000001b3L;
        }
        return h;
    }

    @Test
    void cConsumerReadsWhatJavaProduces() throws Exception {
        assumeTrue(gccAvailable(), "gcc is not installed");
        Path binary = names.uniquePath("ring-reader", "");
        Process gcc = new ProcessBuilder("gcc", "-O2", "-Wall", "-o", binary.toString(), "src/test/c/ring_reader.c")
                .redirectErrorStream(true).start();
        String gccOutput = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(gcc.waitFor()).as("gcc: " + gccOutput).isZero();

        String name = names.unique("cread");
        names.onCleanup(() -> SharedMemory.unlink(name));
        int count = 3000;
        try (RingProducer producer = ShmRing.openProducer(name, ShmRingConfig.defaults().capacity(4096), OpenOptions.create())) {
            Process reader = new ProcessBuilder(binary.toString(), producer.path().toString(), "" + count)
                    .redirectErrorStream(true).start();
            names.onCleanup(reader::destroyForcibly);
            long folded = 0;
            byte[] message = new byte[producer.maxMessageSize()];
            for (int i = 0; i < count; i++) {
                int length = (i * 37) % (message.length + 1);
                for (int j = 0; j < length; j++) {
                    message[j] = (byte) (i * 7 + j);
                }
                assertThat(producer.send(ByteBuffer.wrap(message, 0, length), Duration.ofSeconds(20)))
                        .as("message %d accepted", i).isTrue();
                folded = folded * 31 + fnv1a(message, length);
            }
            assertThat(reader.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String output = new String(reader.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(reader.exitValue()).as(output).isZero();
            assertThat(output).contains("ATTACHED")
                    .contains("COUNT " + count + " HASH " + Long.toUnsignedString(folded));
            assertThat(producer.consumerAlive()).as("the C consumer left its slot").isFalse();
            assertThat(producer.backlog()).isZero();
        }
    }
}
