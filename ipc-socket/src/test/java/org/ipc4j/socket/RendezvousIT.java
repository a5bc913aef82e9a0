package org.ipc4j.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.ipc4j.api.Channel;
import org.ipc4j.api.Ipc;
import org.ipc4j.api.NoSuchObjectException;
import org.ipc4j.api.ObjectExistsException;
import org.ipc4j.api.PeerGoneException;
import org.ipc4j.socket.internal.UnixSocketFiles;
import org.ipc4j.testkit.ChildJvm;
import org.ipc4j.testkit.EchoTestApp;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two programs that share nothing but an address meet on {@code unix:} and {@code tcp://}, whichever starts
 * first, in separate JVMs: the first opener listens (side a), the second connects (side b); two first openers
 * racing end as one pair; a stale socket file left by a killed listener is replaced; runs repeat on one
 * address with no clean-up; a lone opener gives up after its timeout; a send after the peer was killed throws.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RendezvousIT {
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    /** A fresh address, and what can be seen of it from outside: the socket file, or a listening TCP port. */
    record Place(String address, Path path, int port) {
        boolean listening() throws IOException {
            return path != null ? Files.exists(path, LinkOption.NOFOLLOW_LINKS) : tcpListening(port);
        }

        void awaitListening() throws Exception {
            long end = System.nanoTime() + PATIENCE.toNanos();
            while (!listening()) {
                assertThat(System.nanoTime() - end).as("%s: nobody started listening", address).isNegative();
                Thread.sleep(5);
            }
        }

        void assertLeftNothing() throws IOException {
            assertThat(listening()).as("%s: a socket file or a listener left behind", address).isFalse();
            if (path != null) {
                assertThat(UnixSocketFiles.ownerLockFile(path)).as("%s: its lock file left behind", address)
                        .doesNotExist();
            }
        }

        String withTimeout(String timeout) {
            return address.replace("timeout=60s", "timeout=" + timeout);
        }
    }

    private Place at(String scheme) throws Exception {
        if (scheme.equals("unix")) {
            Path path = names.uniquePath("rv", ".sock");
            return new Place("unix:" + path + "?timeout=60s", path, 0);
        }
        int port = TcpChannelIT.freeTcpPort();
        return new Place("tcp://127.0.0.1:" + port + "?timeout=60s", null, port);
    }

    /** Whether something listens on the loopback TCP port, from the kernel's table (no probe connection). */
    static boolean tcpListening(int port) throws IOException {
        String suffix = String.format(":%04X", port);
        for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            Path file = Path.of(table);
            if (!Files.exists(file)) {
                continue;
            }
            for (String line : Files.readAllLines(file)) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 3 && f[1].endsWith(suffix) && f[3].equals("0A")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static CompletableFuture<String> meetInBackground(String address) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return RendezvousTestApp.meet(address);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static String pid() {
        return String.valueOf(ProcessHandle.current().pid());
    }

    @ParameterizedTest
    @ValueSource(strings = {"unix", "tcp"})
    void thisProcessFirstThenAChild(String scheme) throws Exception {
        Place place = at(scheme);
        CompletableFuture<String> mine = meetInBackground(place.address);
        place.awaitListening();
        try (ChildJvm child = ChildJvm.start(RendezvousTestApp.class, place.address)) {
            assertPaired(mine.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS), "a", child);
        }
        place.assertLeftNothing();
    }

    @ParameterizedTest
    @ValueSource(strings = {"unix", "tcp"})
    void aChildFirstThenThisProcess(String scheme) throws Exception {
        Place place = at(scheme);
        try (ChildJvm child = ChildJvm.start(RendezvousTestApp.class, place.address)) {
            child.awaitOutput(RendezvousTestApp.OPENING, PATIENCE);
            place.awaitListening();
            assertPaired(RendezvousTestApp.meet(place.address), "b", child);
        }
        place.assertLeftNothing();
    }

    /** This process took {@code side} and heard the child; the child took the other side and heard this process. */
    private static void assertPaired(String mine, String side, ChildJvm child) throws Exception {
        assertThat(child.waitFor(PATIENCE)).as("child exit code\n" + child.output()).isZero();
        assertThat(mine).startsWith("side " + side + " heard: hello from " + child.pid() + "/");
        assertThat(child.output()).contains("side " + (side.equals("a") ? "b" : "a") + " heard: hello from " + pid() + "/");
    }

    @ParameterizedTest
    @ValueSource(strings = {"unix", "tcp"})
    void twoChildrenStartedTogetherEndAsOnePair(String scheme) throws Exception {
        Place place = at(scheme);
        try (ChildJvm first = ChildJvm.start(RendezvousTestApp.class, place.address);
             ChildJvm second = ChildJvm.start(RendezvousTestApp.class, place.address)) {
            assertThat(first.waitFor(PATIENCE)).as("first child\n" + first.output()).isZero();
            assertThat(second.waitFor(PATIENCE)).as("second child\n" + second.output()).isZero();
            String one = first.output();
            String two = second.output();
            assertThat(one).contains("heard: hello from " + second.pid() + "/");
            assertThat(two).contains("heard: hello from " + first.pid() + "/");
            assertThat(List.of(one.contains("side a"), two.contains("side a"))).as("exactly one listened:\n%s\n%s", one, two)
                    .containsExactlyInAnyOrder(true, false);
        }
        place.assertLeftNothing();
    }

    @ParameterizedTest
    @ValueSource(strings = {"unix", "tcp"})
    void threeRunsInARowOnOneAddressNeedNoCleanUp(String scheme) throws Exception {
        Place place = at(scheme);
        for (int run = 1; run <= 3; run++) {
            try (ChildJvm child = ChildJvm.start(RendezvousTestApp.class, place.address)) {
                String mine = RendezvousTestApp.meet(place.address);
                assertThat(child.waitFor(PATIENCE)).as("run %d, child\n%s", run, child.output()).isZero();
                assertThat(mine).as("run %d", run).contains("heard: hello from " + child.pid() + "/");
                assertThat(child.output()).as("run %d", run).contains("heard: hello from " + pid() + "/");
                assertThat(mine.startsWith("side a")).as("run %d: complementary sides", run)
                        .isNotEqualTo(child.output().contains("side a"));
            }
            place.assertLeftNothing();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"unix", "tcp"})
    void twoThreadsRacingAsFirstOpenersEndAsOnePair(String scheme) throws Exception {
        Place place = at(scheme);
        for (int round = 0; round < 25; round++) {
            racePair(place, round);
        }
    }

    /**
     * Two threads open the address at the same instant: one listens, one connects, each hears the other. The
     * racers get threads of their own (a shared pool may run them one after the other); if one does not end in
     * time, the failure shows where each racer was.
     */
    private static void racePair(Place place, int round) throws Exception {
        CyclicBarrier start = new CyclicBarrier(2);
        List<FutureTask<String>> racers = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            FutureTask<String> racer = new FutureTask<>(() -> {
                start.await();
                return RendezvousTestApp.meet(place.address);
            });
            Thread thread = new Thread(racer, "racer-" + round + "-" + i);
            thread.setDaemon(true);
            thread.start();
            racers.add(racer);
            threads.add(thread);
        }
        List<String> heard = new ArrayList<>();
        for (FutureTask<String> racer : racers) {
            try {
                heard.add(racer.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS));
            } catch (TimeoutException e) {
                StringBuilder where = new StringBuilder();
                for (int i = 0; i < threads.size(); i++) {
                    Thread t = threads.get(i);
                    where.append(t.getName()).append(" (").append(t.getState()).append("):\n");
                    for (StackTraceElement frame : t.getStackTrace()) {
                        where.append("    at ").append(frame).append('\n');
                    }
                    if (racers.get(i).isDone()) {
                        try {
                            where.append("    ended with: ").append(racers.get(i).get()).append('\n');
                        } catch (java.util.concurrent.ExecutionException failed) {
                            java.io.StringWriter trace = new java.io.StringWriter();
                            failed.getCause().printStackTrace(new java.io.PrintWriter(trace));
                            where.append("    failed with: ").append(trace).append('\n');
                        }
                    }
                }
                threads.forEach(Thread::interrupt);
                throw new AssertionError("round " + round + ": a racer did not finish in " + PATIENCE + "\n" + where, e);
            }
        }
        assertThat(List.of(heard.get(0).substring(0, 6), heard.get(1).substring(0, 6)))
                .as("round %d: %s / %s", round, heard.get(0), heard.get(1))
                .containsExactlyInAnyOrder("side a", "side b");
        place.assertLeftNothing();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aStaleSocketFileOfAKilledListenerIsReplaced(boolean otherPidNamespace) throws Exception {
        if (otherPidNamespace) {
            String reason = ChildJvm.pidNamespaceUnavailableReason();
            assumeTrue(reason == null, () -> "skipped: no PID namespace can be made here: " + reason);
        }
        Place place = at("unix");
        try (ChildJvm lonely = otherPidNamespace ? ChildJvm.startInPidNamespace(RendezvousTestApp.class, place.address)
                : ChildJvm.start(RendezvousTestApp.class, place.address)) {
            place.awaitListening();
            // a live owner's path is not taken, whatever its PID namespace
            assertThatThrownBy(() -> SocketServer.unix(place.path).open()).isInstanceOf(ObjectExistsException.class)
                    .hasMessageContaining("live listener");
            assertThat(Files.exists(place.path, LinkOption.NOFOLLOW_LINKS)).isTrue();
            lonely.killHard();
        }
        assertThat(UnixSocketFiles.ownerLockFile(place.path)).as("the kill left the lock file").exists();
        assertThat(Files.exists(place.path, LinkOption.NOFOLLOW_LINKS)).as("the kill left the socket file").isTrue();
        assertThat(catchThrowable(() -> {
            try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(place.path))) {
                probe.isConnected();
            }
        })).as("nothing accepts on it").isInstanceOf(ConnectException.class);
        try (ChildJvm child = ChildJvm.start(RendezvousTestApp.class, place.address)) {
            String mine = RendezvousTestApp.meet(place.address);
            assertThat(child.waitFor(PATIENCE)).as("child\n" + child.output()).isZero();
            assertThat(mine).contains("heard: hello from " + child.pid() + "/");
        }
        place.assertLeftNothing();
    }

    /**
     * Was a race: both racers found the file refusing, and one removed it just after the other had replaced it
     * with its own live file (inode numbers are reused at once), leaving one racer listening on a name that no
     * longer existed. Now only the racer that owns the path (its lock file) removes anything.
     */
    @Test
    void racersOverAStaleFileEndAsOnePairAndRemoveIt() throws Exception {
        Place place = at("unix");
        for (int round = 0; round < 20; round++) {
            try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                dead.bind(UnixDomainSocketAddress.of(place.path)); // closing leaves the file, as a kill does
            }
            assertThat(Files.exists(place.path, LinkOption.NOFOLLOW_LINKS)).isTrue();
            racePair(place, round);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"unix", "tcp"})
    void aLoneOpenerGivesUpAfterItsTimeoutAndLeavesNothing(String scheme) throws Exception {
        Place place = at(scheme);
        long start = System.nanoTime();
        Throwable t = catchThrowable(() -> Ipc.open(place.withTimeout("300ms")));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertThat(t).isInstanceOf(NoSuchObjectException.class).hasMessageContaining("no peer came")
                .hasMessageContaining("role=auto").hasMessageContaining("300 ms");
        assertThat(ms).isBetween(250L, 10_000L);
        place.assertLeftNothing();
    }

    /**
     * A port held by a socket that never listens refuses connections and cannot be bound: the opener keeps
     * trying until its timeout, pausing between tries rather than spinning on a core.
     */
    @Test
    void aTcpPortHeldWithoutListeningIsRetriedUntilTheTimeoutWithoutSpinning() throws Exception {
        Place place = at("tcp");
        try (SocketChannel holder = SocketChannel.open()) {
            holder.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), place.port));
            long cpuBefore = processCpuNanos();
            long start = System.nanoTime();
            Throwable t = catchThrowable(() -> Ipc.open(place.withTimeout("1s")));
            long wall = System.nanoTime() - start;
            long cpu = processCpuNanos() - cpuBefore;
            assertThat(t).isInstanceOf(NoSuchObjectException.class).hasMessageContaining("no peer came");
            assertThat(wall).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(900));
            // a busy loop would take a whole core for the second; the whole JVM stays well below half of one
            assertThat(cpu).as("CPU time of this JVM while waiting %d ms", wall / 1_000_000).isLessThan(wall / 2);
        }
    }

    private static long processCpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().orElseThrow().toNanos();
    }

    @ParameterizedTest
    @ValueSource(strings = {"unix", "tcp"})
    void explicitSidesMeetInEitherOrder(String scheme) throws Exception {
        Place place = at(scheme);
        for (String[] order : new String[][] {{"b", "a"}, {"a", "b"}}) {
            CompletableFuture<String> first = meetInBackground(place.address + "&role=" + order[0]);
            Thread.sleep(100);
            String second = RendezvousTestApp.meet(place.address + "&role=" + order[1]);
            assertThat(second).startsWith("side " + order[1]);
            assertThat(first.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).startsWith("side " + order[0]);
            place.assertLeftNothing();
        }
    }

    /**
     * The rule "a send after the peer's death throws": over Unix the kernel fails the very first write to a
     * dead peer; over TCP the first write after the death may still be taken (a dead peer's FIN looks like a
     * half-close until it answers data with a reset), and the one after it throws.
     */
    @ParameterizedTest
    @ValueSource(strings = {"unix", "tcp"})
    void aSendAfterThePeersDeathThrows(String scheme) throws Exception {
        Place place = at(scheme);
        CompletableFuture<Channel> local = CompletableFuture.supplyAsync(() -> {
            try {
                return Ipc.open(place.address);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        try (ChildJvm child = ChildJvm.start(EchoTestApp.class, place.address);
             Channel channel = local.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)) {
            child.awaitOutput(EchoTestApp.READY, PATIENCE);
            channel.send("alive?".getBytes());
            assertThat(channel.receive(PATIENCE)).isEqualTo("alive?".getBytes());
            child.killHard();
            ByteBuffer message = ByteBuffer.wrap("anyone?".getBytes());
            if (scheme.equals("unix")) {
                assertThatThrownBy(() -> channel.send(message.duplicate())).as("the first send after the death")
                        .isInstanceOf(PeerGoneException.class);
            } else {
                assertThatThrownBy(() -> channel.receive(PATIENCE)).isInstanceOf(PeerGoneException.class);
                Throwable first = catchThrowable(() -> channel.send(message.duplicate()));
                if (first == null) {
                    Thread.sleep(50);
                    first = catchThrowable(() -> channel.send(message.duplicate()));
                }
                assertThat(first).as("the first or second send after the death").isInstanceOf(PeerGoneException.class);
            }
            assertThatThrownBy(() -> channel.send(message.duplicate())).as("and every send after it")
                    .isInstanceOf(PeerGoneException.class);
            assertThatThrownBy(() -> channel.receive(PATIENCE)).isInstanceOf(PeerGoneException.class);
        }
        place.assertLeftNothing();
    }
}
