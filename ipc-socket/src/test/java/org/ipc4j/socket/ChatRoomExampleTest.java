package org.ipc4j.socket;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.IpcException;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The chat-room example of docs/sockets.md, compiled and run: keep the two in step. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ChatRoomExampleTest {
    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    // --- from docs/sockets.md, "A chat room" ---
    static SocketServer openChatRoom(Path path) throws IpcException {
        return SocketServer.unix(path)
                .handler(new SocketServer.Handler() {
                    @Override
                    public void onConnect(StreamChannel member) {
                        try {
                            member.trySend("welcome".getBytes(StandardCharsets.UTF_8));
                        } catch (IpcException e) {
                            // the member is gone already; the server tells onDisconnect
                        }
                    }

                    @Override
                    public void onMessage(StreamChannel member, ByteBuffer message) {
                        try {
                            member.server().broadcast(message, member); // to everyone else in the room
                        } catch (IpcException e) {
                            // the room is closing
                        }
                    }
                })
                .open();
    }

    static String chat(Path path) throws Exception {
        try (SocketServer room = openChatRoom(path);
             StreamChannel alice = StreamChannel.connect(UnixDomainSocketAddress.of(path), Duration.ofSeconds(5));
             StreamChannel bob = StreamChannel.connect(UnixDomainSocketAddress.of(path), Duration.ofSeconds(5))) {
            alice.receive(Duration.ofSeconds(5));                      // "welcome": alice is in the room
            bob.receive(Duration.ofSeconds(5));                        // and so is bob
            alice.send("hi bob".getBytes(StandardCharsets.UTF_8));
            byte[] heard = bob.receive(Duration.ofSeconds(5));
            return new String(heard, StandardCharsets.UTF_8);          // "hi bob"
        }
    }
    // --- end of the example ---

    @Test
    void bobHearsAlice() throws Exception {
        Path path = names.uniquePath("chat", ".sock");
        assertThat(chat(path)).isEqualTo("hi bob");
    }

    @Test
    void theSenderDoesNotHearItselfAndEveryoneElseDoes() throws Exception {
        Path path = names.uniquePath("chat3", ".sock");
        try (SocketServer room = openChatRoom(path);
             StreamChannel a = StreamChannel.connect(UnixDomainSocketAddress.of(path), Duration.ofSeconds(5));
             StreamChannel b = StreamChannel.connect(UnixDomainSocketAddress.of(path), Duration.ofSeconds(5));
             StreamChannel c = StreamChannel.connect(UnixDomainSocketAddress.of(path), Duration.ofSeconds(5))) {
            for (StreamChannel member : new StreamChannel[] {a, b, c}) {
                assertThat(new String(member.receive(Duration.ofSeconds(5)), StandardCharsets.UTF_8)).isEqualTo("welcome");
            }
            a.send("from a".getBytes(StandardCharsets.UTF_8));
            assertThat(new String(b.receive(Duration.ofSeconds(5)), StandardCharsets.UTF_8)).isEqualTo("from a");
            assertThat(new String(c.receive(Duration.ofSeconds(5)), StandardCharsets.UTF_8)).isEqualTo("from a");
            assertThat(a.receive(Duration.ofMillis(200))).as("no echo to the speaker").isNull();
        }
    }
}
