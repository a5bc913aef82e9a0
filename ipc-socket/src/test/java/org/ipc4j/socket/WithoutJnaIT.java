package org.ipc4j.socket;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.ipc4j.api.Channel;
import org.ipc4j.api.Ipc;
import org.ipc4j.testkit.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** ipc-socket runs on the JDK alone: a JVM whose class path has no JNA opens and uses a socket channel. */
@Timeout(60)
class WithoutJnaIT {

    /** Checks JNA is absent, then meets itself over loopback TCP (two threads, one address); exits 0 if it worked. */
    public static final class NoJnaTestApp {
        public static void main(String[] args) throws Exception {
            try {
                Class.forName("com.sun.jna.Native");
                System.out.println("JNA IS PRESENT");
                System.exit(2);
            } catch (ClassNotFoundException expected) {
                // as it should be
            }
            String address = "tcp://127.0.0.1:" + args[0];
            CompletableFuture<String> other = CompletableFuture.supplyAsync(() -> {
                try (Channel c = Ipc.open(address)) {
                    c.send("ping".getBytes(StandardCharsets.UTF_8));
                    return new String(c.receive(Duration.ofSeconds(20)), StandardCharsets.UTF_8);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (Channel c = Ipc.open(address)) {
                byte[] heard = c.receive(Duration.ofSeconds(20));
                c.send(heard);
            }
            System.out.println("ECHOED " + other.get(30, TimeUnit.SECONDS));
            System.exit(0);
        }
    }

    @Test
    void aSocketChannelWorksWithNoJnaOnTheClassPath() throws Exception {
        String classPath = Arrays.stream(ChildJvm.testClassPath().split(File.pathSeparator))
                .filter(entry -> !new File(entry).getName().startsWith("jna"))
                .collect(Collectors.joining(File.pathSeparator));
        assertThat(classPath).doesNotContain(File.separator + "jna-");
        List<String> command = List.of(ChildJvm.javaExecutable().toString(), "-cp", classPath,
                NoJnaTestApp.class.getName(), String.valueOf(TcpChannelIT.freeTcpPort()));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            assertThat(child.waitFor(45, TimeUnit.SECONDS)).as("the child ended").isTrue();
            String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(child.exitValue()).as(output).isZero();
            assertThat(output).contains("ECHOED ping");
        } finally {
            child.destroyForcibly();
        }
    }
}
