package org.ipc4j.mqueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.ipc4j.api.Channel;
import org.ipc4j.api.Ipc;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.testkit.ChannelContract;
import org.ipc4j.testkit.ChannelPair;
import org.junit.jupiter.api.Test;

/**
 * The channel contract on {@link MessageQueueChannel} (two queues, one per direction), in this JVM and across
 * two JVMs: the test opens {@code mq:/NAME?role=a&...&unlink=true}, the child echoes on {@code mq:/NAME?role=b}.
 * A message queue cannot tell that the peer closed or died, so those two contract tests are skipped
 * (documented in docs/mqueue.md).
 */
class MessageQueueChannelIT extends ChannelContract {

    @Override
    protected ChannelPair openPair() throws Exception {
        String name = Queues.channelName(names, "chan");
        MessageQueueChannel a = MessageQueueChannel.open(name, MessageQueueChannel.Side.A, OpenOptions.create(), 10, 8192);
        return new ChannelPair(a, MessageQueueChannel.open(name, MessageQueueChannel.Side.B, OpenOptions.open(), 0, 0));
    }

    @Override
    protected Addresses remoteAddresses() {
        String name = Queues.channelName(names, "echo");
        return new Addresses("mq:/" + name + "?role=a&maxmsg=10&msgsize=8k&mode=create&unlink=true",
                "mq:/" + name + "?role=b&mode=open");
    }

    @Override
    protected boolean reportsPeerClose() {
        return false;
    }

    @Override
    protected boolean reportsPeerDeath() {
        return false;
    }

    @Test
    void addressParametersAreCheckedAndNamesLeaveRoomForTheSuffix() throws Exception {
        String name = Queues.channelName(names, "uri");
        assertThatThrownBy(() -> Ipc.open("mq:/" + name + "?role=c")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("role must be a or b");
        assertThatThrownBy(() -> Ipc.open("mq:/" + name + "?maxmsgs=3")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxmsgs");
        assertThatThrownBy(() -> Ipc.open("mq:/" + name + "?mode=sometimes")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sometimes");
        assertThatThrownBy(() -> Ipc.open("mq:/" + "x".repeat(27) + "?role=a")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("26");
        try (Channel a = Ipc.open("mq:/" + name + "?role=a&maxmsg=3&msgsize=1k&perm=0640");
                Channel b = Ipc.open("mq:/" + name + "?role=b&mode=open")) {
            assertThat(a).isInstanceOf(MessageQueueChannel.class);
            assertThat(a.maxMessageSize()).isEqualTo(1024);
            MessageQueueChannel channel = (MessageQueueChannel) a;
            assertThat(channel.outbound().maxMessages()).isEqualTo(3);
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(java.nio.file.Files.getPosixFilePermissions(
                    java.nio.file.Path.of("/proc/self/fd/" + channel.outbound().descriptor())))).isEqualTo("rw-r-----");
            a.send(bytes("to b"));
            assertThat(text(b.receive(Duration.ofSeconds(5)))).isEqualTo("to b");
        }
    }

    @Test
    void withoutRoleTheAddressIsTheSingleSharedQueue() throws Exception {
        String name = Queues.name(names, "single");
        try (Channel q = Ipc.open("mq:" + name + "?maxmsg=2&msgsize=64&unlink=true")) {
            assertThat(q).isInstanceOf(MessageQueue.class);
            q.send(bytes("loop"));
            assertThat(text(q.receive(Duration.ofSeconds(5)))).isEqualTo("loop");
        }
        assertThat(MessageQueue.exists(name)).as("unlink=true removed the name on close").isFalse();
    }
}
