package org.ipc4j.socket.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.ObjectExistsException;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The socket-file rules the rendezvous relies on: publication is exclusive, a stale file is removed only if it
 * is still the inode found refusing connections, a file published meanwhile is given back, and two openers
 * racing over one stale file end with exactly one listener, reachable at the path.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UnixSocketFilesTest {
    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    private final List<ServerSocketChannel> listeners = new ArrayList<>();

    private ServerSocketChannel listener() throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        names.closeAfter(s);
        listeners.add(s);
        return s;
    }

    /** Leaves a socket file nothing listens on, as a killed listener does. */
    private static UnixSocketFiles.SocketFile stale(Path path) throws Exception {
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(path));
        }
        return UnixSocketFiles.socketKey(path);
    }

    /** Whether {@code listener} accepts a connection made to {@code path}. */
    private static boolean reaches(Path path, ServerSocketChannel listener) throws IOException {
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            listener.configureBlocking(true);
            try (SocketChannel accepted = listener.accept()) {
                return accepted != null && client.isConnected();
            }
        }
    }

    @Test
    void publicationIsExclusiveAndKeepsThePermissions() throws Exception {
        Path path = names.uniquePath("pub", ".sock");
        ServerSocketChannel first = listener();
        Object key = UnixSocketFiles.publish(first, path, 0640, 4);
        assertThat(key).isNotNull();
        assertThat(UnixSocketFiles.publish(listener(), path, 0600, 4)).as("the path is taken").isNull();
        assertThat(UnixSocketFiles.socketKey(path).inode()).isEqualTo(key);
        assertThat(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS))
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
        assertThat(reaches(path, first)).isTrue();
        UnixSocketFiles.deleteIfOurs(path, key);
        assertThat(Files.exists(path, LinkOption.NOFOLLOW_LINKS)).isFalse();
    }

    @Test
    void socketKeyTellsAbsentSocketAndForeignFilesApart() throws Exception {
        Path path = names.uniquePath("key", ".sock");
        assertThat(UnixSocketFiles.socketKey(path)).isNull();
        Files.writeString(path, "data");
        assertThatThrownBy(() -> UnixSocketFiles.socketKey(path)).isInstanceOf(ObjectExistsException.class)
                .hasMessageContaining("not a socket");
        assertThatThrownBy(() -> UnixSocketFiles.removeStale(path, new UnixSocketFiles.SocketFile("any key", null))).isInstanceOf(ObjectExistsException.class);
        assertThat(Files.readString(path)).isEqualTo("data");
    }

    @Test
    void aStaleFileIsRemovedButAFilePublishedSinceIsNot() throws Exception {
        Path path = names.uniquePath("stale", ".sock");
        UnixSocketFiles.SocketFile staleKey = stale(path);
        assertThat(UnixSocketFiles.removeStale(path, staleKey)).isTrue();
        assertThat(Files.exists(path, LinkOption.NOFOLLOW_LINKS)).isFalse();

        UnixSocketFiles.SocketFile oldKey = stale(path);
        Files.delete(path);
        ServerSocketChannel live = listener();
        Object liveKey = UnixSocketFiles.publish(live, path, 0600, 4);
        assertThat(UnixSocketFiles.removeStale(path, oldKey)).as("the inode changed: not the stale file").isFalse();
        assertThat(UnixSocketFiles.socketKey(path).inode()).isEqualTo(liveKey);
        assertThat(reaches(path, live)).isTrue();
    }

    /**
     * ext4 hands a freed inode number to the next file at once, so "same inode" does not mean "same file": a
     * file whose inode changed since the caller found it refusing is not taken for it.
     */
    @Test
    void anInodeChangedSinceTheLookIsNotTakenForTheStaleFile() throws Exception {
        Path path = names.uniquePath("reuse", ".sock");
        Path aside = names.uniquePath("reuse-aside", ".sock");
        UnixSocketFiles.SocketFile looked = stale(path);
        Thread.sleep(20); // past the file system's timestamp granularity
        Files.move(path, aside);
        Files.move(aside, path);
        assertThat(UnixSocketFiles.socketKey(path).inode()).isEqualTo(looked.inode());
        assertThat(UnixSocketFiles.removeStale(path, looked)).isFalse();
        assertThat(Files.exists(path, LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(UnixSocketFiles.removeStale(path, UnixSocketFiles.socketKey(path))).isTrue();
    }

    @Test
    void aFilePublishedBetweenTheLookAndTheRenameIsGivenBack() throws Exception {
        Path path = names.uniqueDirectory("back").resolve("s.sock"); // its neighbours are checked below
        UnixSocketFiles.SocketFile oldKey = stale(path);
        Files.delete(path);
        ServerSocketChannel live = listener();
        Object liveKey = UnixSocketFiles.publish(live, path, 0600, 4);
        // the step after the look, as if the live file had been published just after it
        assertThat(UnixSocketFiles.takeAwayIfStill(path.toAbsolutePath(), oldKey)).isFalse();
        assertThat(UnixSocketFiles.socketKey(path).inode()).as("the same inode is back at the path").isEqualTo(liveKey);
        assertThat(reaches(path, live)).isTrue();
        try (var siblings = Files.list(path.getParent())) {
            assertThat(siblings.filter(p -> p.getFileName().toString().startsWith(".ipc4j-")).toList())
                    .as("no private directory left behind").isEmpty();
        }
    }

    @Test
    void twoOpenersRacingOverAStaleFileEndWithOneReachableListener() throws Exception {
        Path path = names.uniquePath("race", ".sock");
        for (int round = 0; round < 100; round++) {
            stale(path);
            CyclicBarrier start = new CyclicBarrier(2);
            List<CompletableFuture<Object>> racers = new ArrayList<>();
            List<ServerSocketChannel> mine = List.of(listener(), listener());
            for (ServerSocketChannel own : mine) {
                racers.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        start.await();
                        return claim(path, own);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            Object one = racers.get(0).get(10, TimeUnit.SECONDS);
            Object two = racers.get(1).get(10, TimeUnit.SECONDS);
            assertThat(one == null).as("round %d: exactly one published", round).isNotEqualTo(two == null);
            ServerSocketChannel winner = one != null ? mine.get(0) : mine.get(1);
            Object key = one != null ? one : two;
            assertThat(UnixSocketFiles.socketKey(path).inode()).as("round %d: the winner's file is at the path", round)
                    .isEqualTo(key);
            assertThat(reaches(path, winner)).as("round %d", round).isTrue();
            for (ServerSocketChannel s : mine) {
                s.close();
            }
            UnixSocketFiles.deleteIfOurs(path, key);
        }
    }

    /**
     * What a rendezvous opener does: probe; if the file refuses, probe once more and remove it only if it is
     * still the same file refusing; publish its own. Null if it lost (a live listener is there).
     */
    private static Object claim(Path path, ServerSocketChannel own) throws Exception {
        UnixSocketFiles.SocketFile key = UnixSocketFiles.socketKey(path);
        if (key != null) {
            if (accepts(path)) {
                return null; // a live listener: the other racer won
            }
            UnixSocketFiles.SocketFile again = UnixSocketFiles.socketKey(path);
            if (again != null && accepts(path)) {
                return null;
            }
            if (key.equals(again)) {
                UnixSocketFiles.removeStale(path, again);
            }
        }
        return UnixSocketFiles.publish(own, path, 0600, 4);
    }

    /** Whether something accepts connections at {@code path}; false if it refuses or the file is gone. */
    private static boolean accepts(Path path) throws Exception {
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.configureBlocking(false);
            probe.connect(UnixDomainSocketAddress.of(path));
            return true;
        } catch (ConnectException refused) {
            return false;
        } catch (java.net.SocketException gone) {
            assertThat(gone.getMessage()).contains("No such file"); // removed by the other racer meanwhile
            return false;
        }
    }
}
