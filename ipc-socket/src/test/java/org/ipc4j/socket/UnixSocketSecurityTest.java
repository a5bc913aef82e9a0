package org.ipc4j.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.ipc4j.api.ObjectExistsException;
import org.ipc4j.api.PermissionDeniedException;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Socket file permissions from the first instant, stale and live files, peer credentials, loopback defaults. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UnixSocketSecurityTest {
    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    /**
     * The companion lock file of a socket path: owner-only while a listener holds it, gone with the listener; a
     * symbolic link or a directory planted under its name is refused with a clear error and never followed.
     */
    @Test
    void theLockFileOfAPathIsOwnerOnlyAndAPlantedOneIsRefused() throws Exception {
        Path dir = names.uniqueDirectory("lock");
        Path path = dir.resolve("s.sock");
        Path lock = org.ipc4j.socket.internal.UnixSocketFiles.ownerLockFile(path);
        assertThat(lock).isEqualTo(dir.resolve(".s.sock.lock"));
        try (SocketServer server = SocketServer.unix(path).permissions(0666).open()) {
            assertThat(Files.getPosixFilePermissions(lock, LinkOption.NOFOLLOW_LINKS))
                    .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        }
        assertThat(lock).doesNotExist();
        assertThat(path).doesNotExist();
        Path victim = Files.writeString(dir.resolve("victim"), "keep");
        Files.createSymbolicLink(lock, victim);
        assertThatThrownBy(() -> SocketServer.unix(path).open()).isInstanceOf(PermissionDeniedException.class)
                .hasMessageContaining("symbolic link");
        assertThat(Files.readString(victim)).isEqualTo("keep");
        assertThat(path).doesNotExist();
        Files.delete(lock);
        Files.createDirectory(lock);
        assertThatThrownBy(() -> SocketServer.unix(path).open()).isInstanceOf(org.ipc4j.api.IpcException.class)
                .hasMessageContaining(lock.toString());
        assertThat(path).doesNotExist();
        Files.delete(lock);
    }

    @Test
    void socketFileIsOwnerOnlyFromTheMomentItExists() throws Exception {
        Path path = names.uniqueDirectory("perm").resolve("s.sock"); // its neighbours are checked below
        AtomicBoolean stop = new AtomicBoolean();
        // a watcher that looks at the file as early as it can: with chmod-after-bind it would see the umask's mode
        CompletableFuture<Set<PosixFilePermission>> firstSeen = CompletableFuture.supplyAsync(() -> {
            while (!stop.get()) {
                try {
                    return Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS).permissions();
                } catch (NoSuchFileException e) {
                    Thread.onSpinWait();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }
            return null;
        });
        Thread.sleep(20);
        try (SocketServer server = SocketServer.unix(path).open()) {
            assertThat(firstSeen.get(5, TimeUnit.SECONDS)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            assertThat(Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther()).isTrue();
        } finally {
            stop.set(true);
        }
        try (Stream<Path> siblings = Files.list(path.getParent())) {
            assertThat(siblings.filter(p -> p.getFileName().toString().startsWith(".ipc4j-")).toList())
                    .as("no private binding directory left behind").isEmpty();
        }
    }

    @Test
    void widerPermissionsOnlyWhenAsked() throws Exception {
        Path path = names.uniquePath("grp", ".sock");
        try (SocketServer server = SocketServer.unix(path).permissions(0660).open()) {
            assertThat(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS))
                    .isEqualTo(PosixFilePermissions.fromString("rw-rw----"));
        }
        assertThatThrownBy(() -> SocketServer.unix(path).permissions(0700))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0700");
    }

    @Test
    void staleSocketFileOfADeadServerIsReplaced() throws Exception {
        Path path = names.uniquePath("stale", ".sock");
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(path));
        }
        assertThat(Files.exists(path, LinkOption.NOFOLLOW_LINKS)).as("closing left the file, like a crash").isTrue();
        try (SocketServer server = SocketServer.unix(path).open();
             StreamChannel client = StreamChannel.connect(UnixDomainSocketAddress.of(path), Duration.ofSeconds(5));
             StreamChannel accepted = server.accept(Duration.ofSeconds(5))) {
            client.send("new server".getBytes(StandardCharsets.UTF_8));
            assertThat(new String(accepted.receive(Duration.ofSeconds(5)), StandardCharsets.UTF_8)).isEqualTo("new server");
        }
    }

    @Test
    void liveServerIsNotTakenOverAndAForeignFileIsNotReplaced() throws Exception {
        Path path = names.uniquePath("live", ".sock");
        try (SocketServer first = SocketServer.unix(path).open()) {
            assertThatThrownBy(() -> SocketServer.unix(path).open())
                    .isInstanceOf(ObjectExistsException.class).hasMessageContaining("a live listener owns the path");
            try (StreamChannel client = StreamChannel.connect(UnixDomainSocketAddress.of(path), Duration.ofSeconds(5))) {
                StreamChannel probe = first.accept(Duration.ofSeconds(5));
                // the liveness probe of the refused server was a connection too; take clients until ours answers
                client.send("still mine".getBytes(StandardCharsets.UTF_8));
                byte[] got = null;
                while (got == null) {
                    try {
                        got = probe.receive(Duration.ofMillis(200));
                    } catch (org.ipc4j.api.PeerGoneException e) {
                        probe.close();
                        probe = first.accept(Duration.ofSeconds(5));
                    }
                }
                assertThat(new String(got, StandardCharsets.UTF_8)).isEqualTo("still mine");
                probe.close();
            }
        }
        Path regular = names.uniquePath("file", ".sock");
        Files.writeString(regular, "data");
        assertThatThrownBy(() -> SocketServer.unix(regular).open())
                .isInstanceOf(ObjectExistsException.class).hasMessageContaining("not a socket");
        assertThat(org.ipc4j.socket.internal.UnixSocketFiles.ownerLockFile(regular)).as("given up again").doesNotExist();
        assertThat(Files.readString(regular)).isEqualTo("data");
    }

    @Test
    void peerCredentialsNameTheClientsUser() throws Exception {
        Path path = names.uniquePath("cred", ".sock");
        int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        int gid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:gid");
        try (SocketServer server = SocketServer.unix(path).open();
             StreamChannel client = StreamChannel.connect(UnixDomainSocketAddress.of(path), Duration.ofSeconds(5));
             StreamChannel accepted = server.accept(Duration.ofSeconds(5))) {
            PeerCredentials c = accepted.peerCredentials().orElseThrow();
            assertThat(c.uid()).isEqualTo(uid);
            assertThat(c.gid()).isEqualTo(gid);
            assertThat(c.user()).isEqualTo(Files.getOwner(path, LinkOption.NOFOLLOW_LINKS));
            assertThat(c.pid()).as("not available without native code").isEmpty();
            assertThat(client.peerCredentials().orElseThrow().uid()).as("the client sees the server's user").isEqualTo(uid);
        }
        try (SocketServer tcp = SocketServer.tcp(0).open();
             StreamChannel client = StreamChannel.connect(tcp.localAddress(), Duration.ofSeconds(5))) {
            assertThat(client.peerCredentials()).isEmpty();
        }
    }

    @Test
    void sameUserOnlyRefusesAnotherUsersClient() throws Exception {
        assumeAnotherUserCanBeRun();
        Path path = names.uniquePath("same", ".sock");
        List<String> messages = new CopyOnWriteArrayList<>();
        try (SocketServer server = SocketServer.unix(path).permissions(0666).sameUserOnly(true)
                .handler((client, message) -> messages.add(StandardCharsets.UTF_8.decode(message).toString())).open()) {
            Process foreign = new ProcessBuilder("sh", "-c", "printf '\\000\\000\\000\\007foreign' | setpriv --reuid=65534"
                    + " --regid=65534 --clear-groups socat -t 1 - UNIX-CONNECT:" + path).redirectErrorStream(true).start();
            assertThat(foreign.waitFor(10, TimeUnit.SECONDS)).isTrue();
            String output = new String(foreign.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            try (StreamChannel mine = StreamChannel.connect(UnixDomainSocketAddress.of(path), Duration.ofSeconds(5))) {
                mine.send("mine".getBytes(StandardCharsets.UTF_8));
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (!messages.contains("mine") && System.nanoTime() < end) {
                    Thread.sleep(10);
                }
            }
            assertThat(messages).as("socat as nobody said: " + output).containsExactly("mine");
        }
    }

    @Test
    void sameUserOnlyPointToPointChecksThePeerWhicheverSideItIs() throws Exception {
        assumeAnotherUserCanBeRun();
        // a listener running as nobody: our connecting side refuses it
        Path foreignListener = names.uniquePath("fl", ".sock");
        Process listener = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "socat",
                "UNIX-LISTEN:" + foreignListener + ",mode=666", "EXEC:cat").redirectErrorStream(true).start();
        try {
            awaitFile(foreignListener);
            assertThatThrownBy(() -> org.ipc4j.api.Ipc.open("unix:" + foreignListener + "?role=b&sameUserOnly=true&timeout=5s"))
                    .isInstanceOf(PermissionDeniedException.class).hasMessageContaining("nobody")
                    .hasMessageContaining("sameUserOnly");
        } finally {
            listener.destroyForcibly();
            listener.waitFor(5, TimeUnit.SECONDS);
        }
        // our listening side refuses a client running as nobody and takes the next one, ours
        Path path = names.uniquePath("pl", ".sock");
        CompletableFuture<org.ipc4j.api.Channel> listening = CompletableFuture.supplyAsync(() -> {
            try {
                return org.ipc4j.api.Ipc.open("unix:" + path + "?role=a&perm=0666&sameUserOnly=true&timeout=20s");
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        awaitFile(path);
        Process foreign = new ProcessBuilder("sh", "-c", "printf '\\000\\000\\000\\007foreign' | setpriv --reuid=65534"
                + " --regid=65534 --clear-groups socat -t 1 - UNIX-CONNECT:" + path).redirectErrorStream(true).start();
        assertThat(foreign.waitFor(10, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(100);
        assertThat(listening).as("still waiting for an admissible peer").isNotDone();
        try (org.ipc4j.api.Channel mine = org.ipc4j.api.Ipc.open("unix:" + path + "?role=b&timeout=5s");
             org.ipc4j.api.Channel accepted = listening.get(10, TimeUnit.SECONDS)) {
            mine.send("mine".getBytes(StandardCharsets.UTF_8));
            assertThat(new String(accepted.receive(Duration.ofSeconds(5)), StandardCharsets.UTF_8)).isEqualTo("mine");
        }
    }

    /** Root, setpriv and socat: what running a socat peer as the user nobody takes. */
    private static void assumeAnotherUserCanBeRun() throws Exception {
        int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        assumeTrue(uid == 0 && Tools.available("setpriv") && Tools.available("socat"),
                "needs root, setpriv and socat to run a peer as another user");
    }

    private static void awaitFile(Path path) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            assertThat(System.nanoTime() - end).as("%s did not appear", path).isNegative();
            Thread.sleep(10);
        }
    }

    @Test
    void tcpServersBindLoopbackUnlessToldOtherwise() throws Exception {
        try (SocketServer server = SocketServer.tcp(0).open()) {
            assertThat(((InetSocketAddress) server.localAddress()).getAddress().isLoopbackAddress()).isTrue();
        }
        int port = TcpChannelIT.freeTcpPort();
        CompletableFuture<org.ipc4j.api.Channel> listener = CompletableFuture.supplyAsync(() -> {
            try {
                return org.ipc4j.api.Ipc.open("tcp://:" + port + "?role=a&timeout=10s");
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        try (org.ipc4j.api.Channel client = org.ipc4j.api.Ipc.open("tcp://127.0.0.1:" + port + "?role=b");
             org.ipc4j.api.Channel server = listener.get(10, TimeUnit.SECONDS)) {
            assertThat(((InetSocketAddress) ((StreamChannel) server).localAddress()).getAddress().isLoopbackAddress()).isTrue();
            client.send(ByteBuffer.wrap(new byte[] {1}));
            assertThat(server.receive(Duration.ofSeconds(5))).containsExactly(1);
        }
        try (UdpChannel udp = UdpChannel.listen(new InetSocketAddress(0), 100)) {
            // an explicit wildcard is honoured: "told otherwise"
            assertThat(udp.localAddress().getAddress().isAnyLocalAddress()).isTrue();
        }
        try (UdpChannel udp = (UdpChannel) org.ipc4j.api.Ipc.open("udp://:0?listen=true")) {
            assertThat(udp.localAddress().getAddress().isLoopbackAddress()).isTrue();
        }
    }
}
