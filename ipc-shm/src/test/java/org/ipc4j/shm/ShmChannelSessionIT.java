package org.ipc4j.shm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
 * The session of an {@code shm:} channel across real processes: the README's two programs run again and
 * again in either start order with nothing to clean up; a killed end's partner keeps the channel and a
 * restarted process re-attaches to it; "closed" and "died" are told apart; a side is held by one process.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ShmChannelSessionIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    /** One end in a child JVM: {@code MODE ADDRESS [ARG]}, see each mode. */
    public static final class PeerTestApp {
        public static void main(String[] args) throws Exception {
            String mode = args[0];
            String address = args[1];
            try {
                switch (mode) {
                    case "process1" -> { // the README's process 1
                        byte[] reply;
                        try (Channel channel = Ipc.open(address + "?capacity=1m")) {
                            System.out.println("OPEN " + ((ShmChannel) channel).side());
                            channel.send("order 42".getBytes(StandardCharsets.UTF_8));
                            reply = channel.receive(Duration.ofSeconds(30));
                        }
                        System.exit(reply != null && new String(reply, StandardCharsets.UTF_8).equals("accepted") ? 0 : 3);
                    }
                    case "process2" -> { // the README's process 2
                        byte[] order;
                        try (Channel channel = Ipc.open(address)) {
                            System.out.println("OPEN " + ((ShmChannel) channel).side());
                            order = channel.receive();
                            channel.send("accepted".getBytes(StandardCharsets.UTF_8));
                        }
                        System.exit(new String(order, StandardCharsets.UTF_8).equals("order 42") ? 0 : 3);
                    }
                    case "hold" -> { // takes a side and keeps it until killed
                        try (Channel channel = Ipc.open(address)) {
                            System.out.println("OPEN " + ((ShmChannel) channel).side());
                            Thread.sleep(600_000);
                        }
                    }
                    case "close" -> { // takes a side and closes it cleanly
                        try (Channel channel = Ipc.open(address)) {
                            System.out.println("OPEN " + ((ShmChannel) channel).side());
                        }
                        System.exit(0);
                    }
                    case "drain" -> { // receives ARG messages, prints them, answers "back"
                        List<String> got = new ArrayList<>();
                        try (Channel channel = Ipc.open(address)) {
                            System.out.println("OPEN " + ((ShmChannel) channel).side());
                            for (int i = 0; i < Integer.parseInt(args[2]); i++) {
                                byte[] message = channel.receive(Duration.ofSeconds(30));
                                got.add(message == null ? "(none)" : new String(message, StandardCharsets.UTF_8));
                            }
                            channel.send("back".getBytes(StandardCharsets.UTF_8));
                            System.out.println("GOT " + String.join(",", got));
                            // let the partner take "back" before this end's close could be mistaken for anything else
                            Thread.sleep(200);
                        }
                        System.exit(0);
                    }
                    case "open" -> { // only opens
                        try (Channel channel = Ipc.open(address)) {
                            System.out.println("OPEN " + ((ShmChannel) channel).side());
                        }
                        System.exit(0);
                    }
                    default -> throw new IllegalArgumentException(mode);
                }
            } catch (Exception e) {
                System.out.println("FAILED " + e.getClass().getSimpleName() + ": " + e.getMessage());
                System.exit(2);
            }
        }
    }

    private String name() throws IOException {
        String name = names.unique("sess");
        names.onCleanup(() -> SharedMemory.unlink(name));
        names.onCleanup(() -> Files.deleteIfExists(ShmChannel.leaseFile(name)));
        return name;
    }

    /** Everything of channel {@code name} in the shared-memory directory: region, lease, temporaries. */
    private static List<Path> leftovers(String name) throws Exception {
        List<Path> found = new ArrayList<>();
        Path dir = SharedMemory.pathOf(name).getParent();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                if (entry.getFileName().toString().contains(name)) {
                    found.add(entry);
                }
            }
        }
        return found;
    }

    private static void runPair(String address, String first, String second) throws Exception {
        try (ChildJvm one = ChildJvm.start(PeerTestApp.class, first, address)) {
            one.awaitOutput("OPEN", WAIT);
            try (ChildJvm two = ChildJvm.start(PeerTestApp.class, second, address)) {
                assertThat(two.waitFor(Duration.ofSeconds(60))).as(second + ": " + two.output()).isZero();
            }
            assertThat(one.waitFor(Duration.ofSeconds(60))).as(first + ": " + one.output()).isZero();
            assertThat(one.output()).contains("OPEN A");
        }
    }

    @Test
    void theQuickStartRunsThreeTimesInEachStartOrderWithNothingLeftBehind() throws Exception {
        String name = name();
        String address = "shm:" + name;
        for (int run = 0; run < 3; run++) {
            runPair(address, "process1", "process2");
            assertThat(leftovers(name)).as("after run %d, process 1 first", run + 1).isEmpty();
        }
        for (int run = 0; run < 3; run++) {
            runPair(address, "process2", "process1");
            assertThat(leftovers(name)).as("after run %d, process 2 first", run + 1).isEmpty();
        }
    }

    @Test
    void aRestartedProcessReattachesToTheLivePartnerAndReceivesWhatWasQueued() throws Exception {
        String name = name();
        String address = "shm:" + name;
        try (Channel channel = Ipc.open(address)) {
            assertThat(((ShmChannel) channel).side()).isEqualTo(Role.A);
            try (ChildJvm doomed = ChildJvm.start(PeerTestApp.class, "hold", address)) {
                doomed.awaitOutput("OPEN B", WAIT);
                channel.send("m1".getBytes(StandardCharsets.UTF_8));
                channel.send("m2".getBytes(StandardCharsets.UTF_8));
                doomed.killHard();
            }
            assertThat(((ShmChannel) channel).peerAlive()).isFalse();
            assertThat(SharedMemory.pathOf(name)).as("the region outlives a killed end").exists();
            channel.send("m3".getBytes(StandardCharsets.UTF_8)); // room: kept for whoever takes side B next
            // until a new process takes side B, a receive here reports the death
            assertThatThrownBy(() -> channel.receive(WAIT)).isInstanceOf(PeerGoneException.class)
                    .hasMessageContaining("died without closing");
            try (ChildJvm restarted = ChildJvm.start(PeerTestApp.class, "drain", address, "3")) {
                restarted.awaitOutput("OPEN B", WAIT);
                byte[] back = channel.receive(WAIT);
                assertThat(back).as(restarted.output()).isNotNull();
                assertThat(new String(back, StandardCharsets.UTF_8)).isEqualTo("back");
                assertThat(restarted.waitFor(Duration.ofSeconds(60))).as(restarted.output()).isZero();
                assertThat(restarted.output()).contains("OPEN B").contains("GOT m1,m2,m3");
            }
        }
        assertThat(leftovers(name)).as("the last end closed: the session ended").isEmpty();
    }

    @Test
    void aPeerThatClosedAndAPeerThatDiedAreToldApart() throws Exception {
        String closedName = name();
        String closedMessage;
        try (Channel channel = Ipc.open("shm:" + closedName)) {
            try (ChildJvm peer = ChildJvm.start(PeerTestApp.class, "close", "shm:" + closedName)) {
                assertThat(peer.waitFor(Duration.ofSeconds(60))).as(peer.output()).isZero();
            }
            closedMessage = catchGone(channel);
            assertThatThrownBy(() -> channel.send("late".getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOf(PeerGoneException.class).hasMessageContaining("closed its end");
        }
        String diedName = name();
        String diedMessage;
        try (Channel channel = Ipc.open("shm:" + diedName)) {
            try (ChildJvm peer = ChildJvm.start(PeerTestApp.class, "hold", "shm:" + diedName)) {
                peer.awaitOutput("OPEN B", WAIT);
                peer.killHard();
            }
            diedMessage = catchGone(channel);
        }
        assertThat(closedMessage).contains("side B").contains("closed its end").doesNotContain("died");
        assertThat(diedMessage).contains("side B").contains("died without closing").doesNotContain("closed its end");
        assertThat(leftovers(closedName)).isEmpty();
        assertThat(leftovers(diedName)).isEmpty();
    }

    private static String catchGone(Channel channel) {
        try {
            byte[] message = channel.receive(WAIT);
            throw new AssertionError("expected PeerGoneException, got " + (message == null ? "a timeout" : "a message"));
        } catch (PeerGoneException e) {
            return e.getMessage();
        } catch (IOException e) {
            throw new AssertionError("expected PeerGoneException", e);
        }
    }

    @Test
    void aSecondExplicitOpenerOfSideAGetsAClearError() throws Exception {
        String name = name();
        try (Channel channel = Ipc.open("shm:" + name + "?role=a")) {
            try (ChildJvm second = ChildJvm.start(PeerTestApp.class, "open", "shm:" + name + "?role=a")) {
                assertThat(second.waitFor(Duration.ofSeconds(60))).as(second.output()).isEqualTo(2);
                assertThat(second.output()).contains("FAILED LimitReachedException").contains(name)
                        .contains("side A is held");
            }
            try (ChildJvm other = ChildJvm.start(PeerTestApp.class, "open", "shm:" + name + "?role=b")) {
                assertThat(other.waitFor(Duration.ofSeconds(60))).as(other.output()).isZero();
                assertThat(other.output()).contains("OPEN B");
            }
        }
        assertThat(leftovers(name)).isEmpty();
    }
}
