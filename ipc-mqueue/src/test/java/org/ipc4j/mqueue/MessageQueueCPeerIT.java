package org.ipc4j.mqueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ipc4j.mqueue.MessageQueueTest.bytes;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A peer that is not ipc4j: src/test/c/mq_peer.c, built with gcc at test time, sends to and receives from the
 * same queue as this JVM, with priorities, in both directions.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MessageQueueCPeerIT {
    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    @Test
    void cSendsWithPrioritiesAndJavaReceivesHighestFirst() throws Exception {
        Path peer = CPrograms.build("mq_peer");
        MessageQueue q = names.closeAfter(MessageQueue.create(Queues.name(names, "c2j"), 10, 256));
        CPrograms.Result r = CPrograms.run(CPrograms.command(peer, q.posixName(), "send",
                "1:low", "9:high", "5:mid", "9:high-second", "0:zero"));
        assertThat(r.exitCode()).as(r.error()).isZero();
        assertThat(q.queuedMessages()).isEqualTo(5);
        List<String> received = new ArrayList<>();
        MessageInfo info = new MessageInfo();
        ByteBuffer buffer = ByteBuffer.allocateDirect(256);
        while (q.tryReceive(buffer.clear(), info) != MessageQueue.NO_MESSAGE) {
            received.add(info.priority() + " " + StandardCharsets.UTF_8.decode(buffer.flip()));
        }
        assertThat(received).containsExactly("9 high", "9 high-second", "5 mid", "1 low", "0 zero");
    }

    @Test
    void javaSendsWithPrioritiesAndCReceivesHighestFirst() throws Exception {
        Path peer = CPrograms.build("mq_peer");
        MessageQueue q = names.closeAfter(MessageQueue.create(Queues.name(names, "j2c"), 10, 256));
        q.send(bytes("java-low"), 2);
        q.send(bytes("java-top"), MessageQueue.MAX_PRIORITY);
        q.send(bytes("java-mid"), 7);
        q.send(ByteBuffer.allocateDirect(8).put(bytes("direct")).flip(), 7);
        CPrograms.Result r = CPrograms.run(CPrograms.command(peer, q.posixName(), "recv", "4"));
        assertThat(r.exitCode()).as(r.error()).isZero();
        assertThat(r.output().split("\n")).containsExactly("32767 java-top", "7 java-mid", "7 direct", "2 java-low");
        assertThat(q.queuedMessages()).isZero();
    }

    @Test
    void blockedJavaReceiverIsWokenByTheCPeerAndViceVersa() throws Exception {
        Path peer = CPrograms.build("mq_peer");
        MessageQueue q = names.closeAfter(MessageQueue.create(Queues.name(names, "wake"), 10, 256));
        CompletableFuture<QueuedMessage> javaWaits = CompletableFuture.supplyAsync(() -> {
            try {
                return q.receiveMessage(Duration.ofSeconds(20));
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        CompletableFuture<QueuedMessage> javaAsync = q.receiveAsync();
        Thread.sleep(200);
        assertThat(CPrograms.run(CPrograms.command(peer, q.posixName(), "send", "3:from-c", "4:from-c-too")).exitCode()).isZero();
        List<String> got = new ArrayList<>();
        for (QueuedMessage m : List.of(javaWaits.get(10, TimeUnit.SECONDS), javaAsync.get(10, TimeUnit.SECONDS))) {
            got.add(m.priority() + " " + new String(m.payload(), StandardCharsets.UTF_8));
        }
        assertThat(got).containsExactlyInAnyOrder("3 from-c", "4 from-c-too");

        Process cWaits = CPrograms.start(CPrograms.command(peer, q.posixName(), "recv", "1"));
        try {
            Thread.sleep(200);
            assertThat(cWaits.isAlive()).as("the C receiver waits").isTrue();
            q.send(bytes("from-java"), 11);
            assertThat(cWaits.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(cWaits.exitValue()).isZero();
            assertThat(new String(cWaits.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("11 from-java\n");
        } finally {
            cWaits.destroyForcibly();
        }
    }

    @Test
    void aCProgramOnTheQueuesIsTheOtherSideOfAChannelAndIsNeverReportedGone() throws Exception {
        Path peer = CPrograms.build("mq_peer");
        String name = Queues.channelName(names, "cchan");
        try (MessageQueueChannel channel = MessageQueueChannel.open(name)) {
            assertThat(channel.side()).isEqualTo(org.ipc4j.api.Role.A);
            CPrograms.Result sent = CPrograms.run(CPrograms.command(peer, "/" + name + ".b2a", "send", "0:from-c"));
            assertThat(sent.exitCode()).as(sent.error()).isZero();
            assertThat(MessageQueueTest.text(channel.receive(Duration.ofSeconds(10)))).isEqualTo("from-c");
            assertThat(channel.receive(Duration.ofMillis(300)))
                    .as("a peer without the lease is never seen, so never gone: the receive times out").isNull();
            channel.send(bytes("from-java"));
            CPrograms.Result received = CPrograms.run(CPrograms.command(peer, "/" + name + ".a2b", "recv", "1"));
            assertThat(received.exitCode()).as(received.error()).isZero();
            assertThat(received.output()).isEqualTo("0 from-java\n");
        }
        assertThat(MessageQueue.exists(name + ".a2b")).as("the session ended with the only lease holder").isFalse();
    }
}
