package org.ipc4j.mqueue;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.Channel;
import org.ipc4j.api.Ipc;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The code examples of docs/mqueue.md, compiled and run. Only the names differ ("/jobs", "/rpc" in the
 * page): tests use unique names so that they never collide. Keep the two in step.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MessageQueueDocExampleTest {
    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    @Test
    void workQueueWithPriorities() throws Exception {
        String jobsName = "/" + Queues.name(names, "jobs");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(printed, true, UTF_8);
        // --- docs/mqueue.md "A work queue with priorities" (System.out -> out)
        try (MessageQueue jobs = MessageQueue.openOrCreate(jobsName, 10, 1024)) {
            jobs.send(ByteBuffer.wrap("resize img-1".getBytes(UTF_8)), 1);
            jobs.send(ByteBuffer.wrap("resize img-2".getBytes(UTF_8)), 1);
            jobs.send(ByteBuffer.wrap("shutdown".getBytes(UTF_8)), 9);     // overtakes the others

            ByteBuffer buffer = ByteBuffer.allocateDirect(jobs.maxMessageSize());
            MessageInfo info = new MessageInfo();
            while (jobs.receive(buffer.clear(), Duration.ofMillis(100), info) != MessageQueue.NO_MESSAGE) {
                out.println("priority " + info.priority() + ": " + UTF_8.decode(buffer.flip()));
            }
        } finally {
            MessageQueue.unlink(jobsName);
        }
        // ---
        assertThat(printed.toString(UTF_8).split("\n"))
                .containsExactly("priority 9: shutdown", "priority 1: resize img-1", "priority 1: resize img-2");
        assertThat(MessageQueue.exists(jobsName)).isFalse();
    }

    @Test
    void duplexChannelBetweenTwoProcesses() throws Exception {
        String rpc = Queues.channelName(names, "rpc");
        CompletableFuture<Void> process2;
        byte[] reply;
        // --- docs/mqueue.md "A duplex channel between two processes" (process 2 runs on another thread here)
        // process 1
        try (Channel channel = Ipc.open("mq:/" + rpc)) {
            process2 = CompletableFuture.runAsync(() -> {
                // process 2
                try (Channel other = Ipc.open("mq:/" + rpc)) {
                    byte[] request = other.receive();
                    other.send(request);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            channel.send("ping".getBytes(UTF_8));
            reply = channel.receive(Duration.ofSeconds(5));   // null on timeout
        }
        // ---
        process2.get(10, TimeUnit.SECONDS);
        assertThat(new String(reply, UTF_8)).isEqualTo("ping");
        MessageQueueChannelIT.assertSessionGone(rpc);
    }

    @Test
    void asynchronousReceive() throws Exception {
        MessageQueue jobs = names.closeAfter(MessageQueue.create(Queues.name(names, "async"), 10, 1024));
        StringBuilder printed = new StringBuilder();
        // --- docs/mqueue.md "Asynchronous receive" (System.out.println -> printed.append)
        CompletableFuture<QueuedMessage> next = jobs.receiveAsync();
        CompletableFuture<Void> done =
                next.thenAccept(m -> printed.append("priority " + m.priority() + ", " + m.payload().length + " bytes"));
        // ---
        jobs.send("four".getBytes(UTF_8), 4);
        done.get(5, TimeUnit.SECONDS);
        assertThat(printed.toString()).isEqualTo("priority 4, 4 bytes");
    }
}
