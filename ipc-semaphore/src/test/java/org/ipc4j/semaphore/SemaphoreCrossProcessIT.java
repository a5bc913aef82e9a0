package org.ipc4j.semaphore;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.ipc4j.testkit.ChildJvm;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Two JVMs share named semaphores: posts in one wake waits in the other, and no permit is lost or doubled. */
@Timeout(60)
class SemaphoreCrossProcessIT {
    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    private NamedSemaphore create(String prefix, long initial) throws Exception {
        String name = names.unique(prefix);
        names.onCleanup(() -> NamedSemaphore.unlink(name));
        return names.closeAfter(NamedSemaphore.create(name, initial));
    }

    @Test
    void pingPongWithAChildJvm() throws Exception {
        NamedSemaphore ping = create("ping", 0);
        NamedSemaphore pong = create("pong", 0);
        int rounds = 2000;
        try (ChildJvm child = ChildJvm.start(SemaphorePingPongTestApp.class, ping.name(), pong.name(),
                Integer.toString(rounds))) {
            child.awaitOutput("READY", Duration.ofSeconds(30));
            for (int i = 0; i < rounds; i++) {
                ping.release();
                assertThat(pong.tryAcquire(Duration.ofSeconds(20))).as("round %d", i).isTrue();
            }
            assertThat(child.waitFor(Duration.ofSeconds(20))).as(child.output()).isZero();
        }
        assertThat(ping.value()).isZero();
        assertThat(pong.value()).isZero();
    }

    @Test
    void aChildKilledWhileBlockedTakesNoPermit() throws Exception {
        NamedSemaphore ping = create("kping", 0);
        NamedSemaphore pong = create("kpong", 0);
        try (ChildJvm child = ChildJvm.start(SemaphorePingPongTestApp.class, ping.name(), pong.name(), "1")) {
            child.awaitOutput("READY", Duration.ofSeconds(30));
            Thread.sleep(200);
            child.killHard();
        }
        ping.release();
        assertThat(ping.value()).isEqualTo(1);
        assertThat(pong.value()).isZero();
    }
}
