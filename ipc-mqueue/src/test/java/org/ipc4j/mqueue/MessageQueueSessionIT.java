package org.ipc4j.mqueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.ipc4j.mqueue.MessageQueueChannelIT.assertSessionGone;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.Channel;
import org.ipc4j.api.Ipc;
import org.ipc4j.api.PeerGoneException;
import org.ipc4j.api.Role;
import org.ipc4j.testkit.ChildJvm;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The session lifecycle across real processes, with nothing shared but the address {@code mq:/NAME}: the
 * README's quick start in both start orders, again and again on one name without clean-up by hand, and a peer
 * killed with SIGKILL that is restarted and re-attaches to its live partner.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MessageQueueSessionIT {
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    @Test
    void quickStartRunsThreeTimesInARowInBothStartOrdersAndLeavesNothing() throws Exception {
        String name = Queues.channelName(names, "quick");
        String address = "mq:/" + name;
        for (int run = 1; run <= 3; run++) {
            for (String first : new String[] {"1", "2"}) {
                String second = first.equals("1") ? "2" : "1";
                ChildJvm opener = names.closeAfter(ChildJvm.start(QuickStartTestApp.class, first, address));
                opener.awaitOutput("OPEN A", PATIENCE);
                ChildJvm joiner = names.closeAfter(ChildJvm.start(QuickStartTestApp.class, second, address));
                assertThat(joiner.waitFor(PATIENCE)).as("run %d, process %s second:%n%s", run, second,
                        joiner.output()).isZero();
                assertThat(joiner.output()).contains("OPEN B", exchanged(second));
                assertThat(opener.waitFor(PATIENCE)).as("run %d, process %s first:%n%s", run, first,
                        opener.output()).isZero();
                assertThat(opener.output()).contains(exchanged(first));
                assertSessionGone(name);
            }
        }
    }

    @Test
    void aPeerKilledWithSigkillIsReportedAndItsRestartReceivesWhatWasQueuedForIt() throws Exception {
        String name = Queues.channelName(names, "restart");
        String address = "mq:/" + name;
        try (Channel parent = Ipc.open(address)) {
            assertThat(((MessageQueueChannel) parent).side()).isEqualTo(Role.A);
            ChildJvm first = names.closeAfter(ChildJvm.start(PeerTestApp.class, address, "1", "hold"));
            first.awaitOutput("OPEN B true", PATIENCE);
            parent.send(bytes("ping"));
            assertThat(text(parent.receive(PATIENCE))).isEqualTo("back");
            first.awaitOutput("HOLDING", PATIENCE);
            parent.send(bytes("queued-1"));
            parent.send(bytes("queued-2"));
            first.killHard();
            long start = System.nanoTime();
            assertThatThrownBy(() -> parent.receive(PATIENCE)).isInstanceOf(PeerGoneException.class)
                    .hasMessageContaining("without closing");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("death noticed within").isLessThan(Duration.ofSeconds(5));
            assertThatThrownBy(() -> parent.send(bytes("lost"))).as("a send after the death")
                    .isInstanceOf(PeerGoneException.class).hasMessageContaining("without closing");

            ChildJvm again = names.closeAfter(ChildJvm.start(PeerTestApp.class, address, "2", "close"));
            assertThat(again.waitFor(PATIENCE)).as(again.output()).isZero();
            assertThat(again.output()).contains("OPEN B true", "GOT queued-1\nGOT queued-2\n", "CLOSED")
                    .doesNotContain("lost");
            assertThat(text(parent.receive(PATIENCE))).as("the restarted peer's message").isEqualTo("back");
            assertThatThrownBy(() -> parent.receive(PATIENCE)).isInstanceOf(PeerGoneException.class)
                    .hasMessageContaining("closed its end");
        }
        assertSessionGone(name);
    }

    @Test
    void aSessionWhoseEndsAllDiedIsResumedWithItsMessagesByTheNextPair() throws Exception {
        String name = Queues.channelName(names, "resume");
        String address = "mq:/" + name;
        ChildJvm lone = names.closeAfter(ChildJvm.start(QuickStartTestApp.class, "1", address));
        lone.awaitOutput("OPEN A", PATIENCE);
        while (queued(name + ".a2b") == 0) {
            Thread.sleep(5); // until "order 42" is queued for side B
        }
        lone.killHard();
        assertThat(MessageQueue.exists(name + ".a2b")).as("a death ends nothing").isTrue();
        try (MessageQueueChannel a = MessageQueueChannel.open(name);
                MessageQueueChannel b = MessageQueueChannel.open(name)) {
            assertThat(a.side()).isEqualTo(Role.A);
            assertThat(text(b.receive(PATIENCE))).as("queued by the dead side A for side B").isEqualTo("order 42");
        }
        assertSessionGone(name);
    }

    private static long queued(String queue) throws Exception {
        try (MessageQueue q = MessageQueue.open(queue)) {
            return q.queuedMessages();
        }
    }

    /** What the quick start's process 1 or 2 prints when the exchange worked. */
    private static String exchanged(String process) {
        return process.equals("1") ? "REPLY accepted" : "ORDER order 42";
    }

    private static java.nio.ByteBuffer bytes(String s) {
        return java.nio.ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }
}
