package org.ipc4j.mqueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.ipc4j.api.Channel;
import org.ipc4j.api.Ipc;
import org.ipc4j.api.LimitReachedException;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.api.PeerGoneException;
import org.ipc4j.api.Role;
import org.ipc4j.mqueue.internal.ChannelSession;
import org.ipc4j.testkit.ChannelContract;
import org.ipc4j.testkit.ChannelPair;
import org.junit.jupiter.api.Test;

/**
 * The channel contract on {@link MessageQueueChannel} (two queues, one per direction, and a side lease), in
 * this JVM and across two JVMs that open the very same address {@code mq:/NAME}: whichever opens first takes
 * side A. The peer's close and death are reported, after its messages.
 */
class MessageQueueChannelIT extends ChannelContract {

    @Override
    protected ChannelPair openPair() throws Exception {
        String name = Queues.channelName(names, "chan");
        MessageQueueChannel a = MessageQueueChannel.open(name);
        try {
            return new ChannelPair(a, MessageQueueChannel.open(name));
        } catch (Exception e) {
            a.close();
            throw e;
        }
    }

    @Override
    protected Addresses remoteAddresses() {
        String name = Queues.channelName(names, "echo");
        return new Addresses("mq:/" + name, "mq:/" + name);
    }

    @Test
    void firstOpenerTakesSideAThenBAndAThirdIsRefused() throws Exception {
        String name = Queues.channelName(names, "sides");
        try (MessageQueueChannel first = MessageQueueChannel.open(name);
                MessageQueueChannel second = MessageQueueChannel.open(name)) {
            assertThat(first.side()).isEqualTo(Role.A);
            assertThat(first.partnerPresentAtOpen()).isFalse();
            assertThat(second.side()).isEqualTo(Role.B);
            assertThat(second.partnerPresentAtOpen()).isTrue();
            assertThat(first.outbound().name()).isEqualTo(name + ".a2b");
            assertThat(second.inbound().name()).isEqualTo(name + ".a2b");
            assertThatThrownBy(() -> MessageQueueChannel.open(name)).isInstanceOf(LimitReachedException.class)
                    .hasMessageContaining("both sides are held");
            assertThatThrownBy(() -> Ipc.open("mq:/" + name + "?role=b")).isInstanceOf(LimitReachedException.class)
                    .hasMessageContaining("side B is held");
            assertThatThrownBy(first::unlink).as("an open channel is in use")
                    .hasMessageContaining("in use");
        }
        assertSessionGone(name);
    }

    @Test
    void explicitRolesAndAttributesByAddress() throws Exception {
        String name = Queues.channelName(names, "uri");
        try (Channel b = Ipc.open("mq:/" + name + "?role=b&depth=3&maxmsg=1k&perm=0640");
                Channel a = Ipc.open("mq:/" + name + "?role=a&mode=open")) {
            assertThat(a).isInstanceOf(MessageQueueChannel.class);
            MessageQueueChannel channel = (MessageQueueChannel) a;
            assertThat(channel.side()).isEqualTo(Role.A);
            assertThat(a.maxMessageSize()).isEqualTo(1024);
            assertThat(channel.outbound().maxMessages()).isEqualTo(3);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(
                    Path.of("/proc/self/fd/" + channel.outbound().descriptor())))).isEqualTo("rw-r-----");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(ChannelSession.leaseFile(name))))
                    .as("the lease file gets the same permissions").isEqualTo("rw-r-----");
            a.send(bytes("to b"));
            assertThat(text(b.receive(Duration.ofSeconds(5)))).isEqualTo("to b");
            b.send(bytes("to a"));
            assertThat(text(a.receive(Duration.ofSeconds(5)))).isEqualTo("to a");
        }
        assertSessionGone(name);
    }

    @Test
    void aClosedPeerIsReportedAsClosedToReceiveAndSendAndANewPeerTakesItsSide() throws Exception {
        String name = Queues.channelName(names, "closed");
        try (MessageQueueChannel a = MessageQueueChannel.open(name)) {
            MessageQueueChannel b = MessageQueueChannel.open(name);
            b.send(bytes("last words"));
            b.close();
            assertThat(text(a.receive(Duration.ofSeconds(5)))).as("what the peer sent comes first").isEqualTo("last words");
            assertThatThrownBy(() -> a.receive(Duration.ofSeconds(10))).isInstanceOf(PeerGoneException.class)
                    .hasMessageContaining("side B) closed its end");
            assertThatThrownBy(() -> a.send(bytes("to nobody"))).isInstanceOf(PeerGoneException.class)
                    .hasMessageContaining("closed its end");
            try (MessageQueueChannel again = MessageQueueChannel.open(name)) {
                assertThat(again.side()).isEqualTo(Role.B);
                assertThat(again.partnerPresentAtOpen()).isTrue();
                Thread.sleep(ChannelSession.PROBE_MILLIS + 5); // past the last probe's verdict
                a.send(bytes("welcome"));
                assertThat(text(again.receive(Duration.ofSeconds(5)))).isEqualTo("welcome");
            }
        }
        assertSessionGone(name);
    }

    @Test
    void aPartnerThatHasNotComeYetIsNotGone() throws Exception {
        String name = Queues.channelName(names, "early");
        try (MessageQueueChannel a = MessageQueueChannel.open(name)) {
            assertThat(a.receive(Duration.ofMillis(200))).as("waits, no PeerGoneException").isNull();
            a.send(bytes("for whoever comes"));
            try (MessageQueueChannel b = MessageQueueChannel.open(name)) {
                assertThat(text(b.receive(Duration.ofSeconds(5)))).isEqualTo("for whoever comes");
            }
        }
        assertSessionGone(name);
    }

    @Test
    void aSessionEndsOnlyWhenBothEndsHaveClosed() throws Exception {
        String name = Queues.channelName(names, "session");
        MessageQueueChannel a = MessageQueueChannel.open(name);
        MessageQueueChannel b = MessageQueueChannel.open(name);
        a.send(bytes("queued"));
        a.close();
        assertThat(MessageQueue.exists(name + ".a2b")).as("the partner is still open").isTrue();
        assertThat(Files.exists(ChannelSession.leaseFile(name))).isTrue();
        b.close();
        assertSessionGone(name);
        try (MessageQueueChannel fresh = MessageQueueChannel.open(name)) {
            assertThat(fresh.side()).isEqualTo(Role.A);
            assertThat(fresh.inbound().queuedMessages()).as("a new session starts empty").isZero();
            assertThat(fresh.outbound().queuedMessages()).isZero();
        }
        assertSessionGone(name);
    }

    @Test
    void sharedTrueIsTheSingleQueue() throws Exception {
        String name = Queues.name(names, "single");
        try (Channel q = Ipc.open("mq:" + name + "?shared=true&depth=2&maxmsg=64&unlink=true")) {
            assertThat(q).isInstanceOf(MessageQueue.class);
            assertThat(q.maxMessageSize()).isEqualTo(64);
            assertThat(((MessageQueue) q).maxMessages()).isEqualTo(2);
            q.send(bytes("loop"));
            assertThat(text(q.receive(Duration.ofSeconds(5)))).as("a shared queue echoes to itself").isEqualTo("loop");
        }
        assertThat(MessageQueue.exists(name)).as("unlink=true removed the name on close").isFalse();
    }

    @Test
    void unlinkOnCloseIsNotAChannelOption() {
        String name = Queues.channelName(names, "uoc");
        assertThatThrownBy(() -> MessageQueueChannel.open(name, Role.AUTO, OpenOptions.openOrCreate().unlinkOnClose(true), 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("both ends have closed");
    }

    /** Nothing of the channel is left: no queue, no lease file, no close marker. */
    static void assertSessionGone(String name) throws Exception {
        assertThat(MessageQueue.exists(name + ".a2b")).as("queue a2b").isFalse();
        assertThat(MessageQueue.exists(name + ".b2a")).as("queue b2a").isFalse();
        for (Path dir : new Path[] {Path.of("/dev/mqueue"), ChannelSession.directory()}) {
            if (Files.isDirectory(dir)) {
                try (var entries = Files.list(dir)) {
                    assertThat(entries.map(p -> p.getFileName().toString()).filter(f -> f.startsWith(name + ".")))
                            .as("entries of %s left by channel %s", dir, name).isEmpty();
                }
            }
        }
    }
}
