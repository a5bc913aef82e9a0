package org.ipc4j.socket;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.Channel;
import org.ipc4j.api.Ipc;
import org.ipc4j.testkit.WithoutJna;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** ipc-socket runs on the JDK alone: a JVM whose class path has no JNA opens and uses a socket channel. */
@Timeout(60)
class WithoutJnaIT {

    /** Checks JNA is absent, then meets itself over loopback TCP (two threads, one address); exits 0 if it worked. */
    public static final class NoJnaTestApp {
        public static void main(String[] args) throws Exception {
            WithoutJna.check(!WithoutJna.jnaLoadable(), "JNA is on the class path");
            String address = "tcp://127.0.0.1:" + System.getProperty("port");
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
        WithoutJna.Result result = WithoutJna.run(NoJnaTestApp.class, "-Dport=" + TcpChannelIT.freeTcpPort());
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("ECHOED ping");
    }
}
