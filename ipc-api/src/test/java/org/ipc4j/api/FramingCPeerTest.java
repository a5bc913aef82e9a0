package org.ipc4j.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.ipc4j.api.framing.FrameReader;
import org.ipc4j.api.framing.FrameWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The C peer printed in docs/framing-format.md, compiled with gcc, echoes frames that Java writes: the
 * documented format and the Java implementation agree byte for byte.
 */
@Timeout(60)
class FramingCPeerTest {

    private static final String MAIN = """

            int main(void) {
                static char buf[1 << 20];
                long n;
                while ((n = recv_frame(0, buf, sizeof buf)) >= 0) {
                    if (send_frame(1, buf, (uint32_t)n) != 0) return 2;
                }
                return 0;
            }
            """;

    @Test
    void theDocumentedCPeerEchoesJavaFrames(@TempDir Path dir) throws Exception {
        assumeTrue(gccAvailable() || System.getenv("CI") != null, "gcc is not installed");
        String doc = Files.readString(Path.of("..", "docs", "framing-format.md"));
        Matcher m = Pattern.compile("```c\\n(.*?)```", Pattern.DOTALL).matcher(doc);
        assertThat(m.find()).as("docs/framing-format.md has a C block").isTrue();
        Path source = dir.resolve("peer.c");
        Files.writeString(source, m.group(1) + MAIN);
        Path binary = dir.resolve("peer");
        Process gcc = new ProcessBuilder("gcc", "-O2", "-Wall", "-Werror", "-o", binary.toString(), source.toString())
                .redirectErrorStream(true).start();
        String gccOutput = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(gcc.waitFor()).as("gcc: " + gccOutput).isZero();

        Process peer = new ProcessBuilder(binary.toString()).start();
        try (OutputStream toPeer = peer.getOutputStream(); InputStream fromPeer = peer.getInputStream()) {
            FrameWriter writer = new FrameWriter(toPeer, 1 << 20, "to C peer", 8192);
            FrameReader reader = new FrameReader(fromPeer, 1 << 20, "from C peer");
            SplittableRandom random = new SplittableRandom(1);
            for (int size : new int[] {0, 1, 5, 4092, 4093, 65_536, 1 << 20}) {
                byte[] payload = new byte[size];
                random.nextBytes(payload);
                writer.write(ByteBuffer.wrap(payload));
                assertThat(reader.readFrame()).as("echo of %d bytes", size).isEqualTo(payload);
            }
            toPeer.close();
            assertThat(reader.readFrame()).as("clean end after the peer exits").isNull();
        } finally {
            peer.destroyForcibly();
        }
        assertThat(peer.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(peer.exitValue()).isZero();
    }

    private static boolean gccAvailable() {
        try {
            return new ProcessBuilder("gcc", "--version").start().waitFor() == 0;
        } catch (Exception e) {
            return false;
        }
    }
}
