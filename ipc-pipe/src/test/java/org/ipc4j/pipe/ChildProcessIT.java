package org.ipc4j.pipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.ipc4j.api.Channel;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.PeerGoneException;
import org.ipc4j.testkit.ChildJvm;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Anonymous pipes to real child processes: a Java child, python3, sort and cat. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChildProcessIT {
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    static ChildProcess.Builder echoChild() {
        return ChildProcess.javaBuilder(PipeEchoTestApp.class).classPath(ChildJvm.testClassPath())
                .jvmOptions(ChildJvm.DEFAULT_JVM_OPTIONS);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void javaChildEchoesAndStrayPrintsNeverReachTheChannel() throws Exception {
        Path stderr = names.uniquePath("stderr", ".log");
        try (ChildProcess child = names.closeAfter(echoChild().stderr(StderrTarget.file(stderr)).start())) {
            Channel ch = child.channel();
            ch.send(bytes("hello"));
            assertThat(text(ch.receive(PATIENCE))).isEqualTo("hello");
            ch.send(bytes("print:this must not corrupt the channel"));
            assertThat(text(ch.receive(PATIENCE))).isEqualTo("print:this must not corrupt the channel");
            SplittableRandom random = new SplittableRandom(1);
            for (int i = 0; i < 200; i++) {
                byte[] message = new byte[random.nextInt(0, 70_000)];
                random.nextBytes(message);
                ch.send(message);
                assertThat(ch.receive(PATIENCE)).as("echo %d", i).isEqualTo(message);
            }
            assertThat(ch.tryReceive(ByteBuffer.allocate(16))).isEqualTo(Channel.NO_MESSAGE);
            child.closeChannel();
            assertThat(child.join(PATIENCE)).as("child exits once its input ends").isTrue();
            assertThat(child.exitCode()).hasValue(PipeEchoTestApp.EXIT_PARENT_GONE);
        }
        String log = Files.readString(stderr);
        assertThat(log).contains("stray output after open: this goes to standard error")
                .contains("this must not corrupt the channel").contains("parent gone");
        assertThat(log).doesNotContain("stray output before open");
    }

    /** The reader and writer threads of a channel over blocking streams are named after the channel. */
    private static List<String> helperThreadsOf(ChildProcess child) {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(n -> n.startsWith("ipc4j-pipe-") && n.contains("(pid " + child.pid() + ")"))
                .collect(Collectors.toList());
    }

    /** Receives (and sends) run on the caller's thread, on the pipes' descriptors: no thread hand-over per message. */
    @Test
    void theFramedChannelNeedsNoHelperThreads() throws Exception {
        try (ChildProcess child = names.closeAfter(echoChild().start())) {
            Channel ch = child.channel();
            ch.send(bytes("ping"));
            assertThat(text(ch.receive(PATIENCE))).isEqualTo("ping");
            assertThat(ch.trySend(bytes("pong"))).isTrue();
            assertThat(text(ch.receive(PATIENCE))).isEqualTo("pong");
            assertThat(helperThreadsOf(child)).as("reader or writer threads of this child's channel").isEmpty();
        }
    }

    /** The default destination of the child's standard error is the SLF4J log (slf4j-simple prints to System.err). */
    @Test
    void childStandardErrorGoesToTheLogByDefault() throws Exception {
        java.io.PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true, StandardCharsets.UTF_8));
        try (ChildProcess child = names.closeAfter(echoChild().start())) {
            child.channel().send(bytes("stderr:a line for the log"));
            assertThat(text(child.channel().receive(PATIENCE))).isEqualTo("stderr:a line for the log");
            child.closeChannel();
            assertThat(child.join(PATIENCE)).isTrue();
            String prefix = "[PipeEchoTestApp pid " + child.pid() + "] ";
            for (int i = 0; i < 200 && !captured.toString(StandardCharsets.UTF_8).contains(prefix + "parent gone"); i++) {
                Thread.sleep(10);
            }
            assertThat(captured.toString(StandardCharsets.UTF_8)).contains(prefix + "a line for the log")
                    .contains(prefix + "parent gone").contains("org.ipc4j.pipe.child");
        } finally {
            System.setErr(original);
        }
    }

    @Test
    void killedChildIsReportedToABlockedReceiverWithItsExitCode() throws Exception {
        try (ChildProcess child = names.closeAfter(echoChild().start())) {
            Channel ch = child.channel();
            ch.send(bytes("alive?"));
            assertThat(text(ch.receive(PATIENCE))).isEqualTo("alive?");
            CompletableFuture<Throwable> blocked = CompletableFuture.supplyAsync(
                    () -> catchThrowable(() -> ch.receive(ByteBuffer.allocate(64))));
            Thread.sleep(200);
            assertThat(blocked).as("receive blocks while the child is silent").isNotDone();
            long start = System.nanoTime();
            child.kill();
            Throwable t = blocked.get(10, TimeUnit.SECONDS);
            assertThat(t).isInstanceOf(PeerGoneException.class).hasMessageContaining("exited with code 137")
                    .hasMessageContaining("killed by signal 9");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            assertThatThrownBy(() -> ch.receive(ByteBuffer.allocate(64), Duration.ofSeconds(1)))
                    .as("and again on the next call").isInstanceOf(PeerGoneException.class);
            assertThat(child.join(PATIENCE)).isTrue();
            assertThat(child.exitCode()).hasValue(137);
        }
    }

    @Test
    void joinTimesOutOnARunningChildAndReportsTheExitCode() throws Exception {
        try (ChildProcess child = names.closeAfter(echoChild().start())) {
            child.channel().send(bytes("ping"));
            assertThat(text(child.channel().receive(PATIENCE))).isEqualTo("ping");
            long start = System.nanoTime();
            assertThat(child.join(Duration.ofMillis(300))).isFalse();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
            assertThat(child.exitCode()).isEmpty();
            assertThat(child.isAlive()).isTrue();
            child.channel().send(bytes("exit:7"));
            assertThat(text(child.channel().receive(PATIENCE))).isEqualTo("exit:7");
            assertThat(child.join(PATIENCE)).isTrue();
            assertThat(child.exitCode()).hasValue(7);
            assertThatThrownBy(() -> child.channel().receive(PATIENCE)).isInstanceOf(PeerGoneException.class)
                    .hasMessageContaining("exited with code 7");
        }
    }

    /** A child that exits without ever opening its ParentChannel. */
    public static final class NeverOpens {
        public static void main(String[] args) {
            System.out.println("ABCDEFGH I print and leave");
            System.exit(3);
        }
    }

    @Test
    void childThatNeverOpensItsChannelIsPeerGoneNotGarbage() throws Exception {
        try (ChildProcess child = names.closeAfter(ChildProcess.javaBuilder(NeverOpens.class)
                .classPath(ChildJvm.testClassPath()).jvmOptions(ChildJvm.DEFAULT_JVM_OPTIONS).start())) {
            assertThatThrownBy(() -> child.channel().receive(PATIENCE)).isInstanceOf(PeerGoneException.class)
                    .hasMessageContaining("exited with code 3");
        }
    }

    @Test
    void rawModeSortsWithSort() throws Exception {
        try (ChildProcess sort = names.closeAfter(ChildProcess.start("sort"))) {
            try (OutputStream in = sort.stdin()) {
                in.write(bytes("pear\napple\nfig\n"));
            }
            assertThat(new String(sort.stdout().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("apple\nfig\npear\n");
            assertThat(sort.join(PATIENCE)).isTrue();
            assertThat(sort.exitCode()).hasValue(0);
            assertThatThrownBy(sort::channel).isInstanceOf(IllegalStateException.class).hasMessageContaining("raw");
        }
    }

    @Test
    void rawModeCopiesAMegabyteThroughCat() throws Exception {
        byte[] data = new byte[1 << 20];
        new SplittableRandom(5).nextBytes(data);
        try (ChildProcess cat = names.closeAfter(ChildProcess.start("cat"))) {
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try (OutputStream in = cat.stdin()) {
                    in.write(data);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            try (InputStream out = cat.stdout()) {
                out.transferTo(got);
            }
            writer.get(20, TimeUnit.SECONDS);
            assertThat(got.toByteArray()).isEqualTo(data);
            assertThat(cat.join(PATIENCE)).isTrue();
        }
    }

    static final String PYTHON_PEER = String.join("\n",
            "import os, struct, sys",
            "inp, out = sys.stdin.buffer, sys.stdout.buffer",
            "def read(n):",
            "    b = b''",
            "    while len(b) < n:",
            "        c = inp.read(n - len(b))",
            "        if not c: return None",
            "        b += c",
            "    return b",
            "while True:",
            "    h = read(4)",
            "    if h is None: sys.exit(0)",
            "    p = read(struct.unpack('>I', h)[0])",
            "    if p == b'die-mid-frame':",
            "        out.write(struct.pack('>I', 100) + b'only ten b'); out.flush()",
            "        os.kill(os.getpid(), 9)",
            "    r = p.upper()",
            "    out.write(struct.pack('>I', len(r)) + r); out.flush()",
            "");

    private Path pythonPeer() throws Exception {
        Path script = names.uniquePath("peer", ".py");
        Files.writeString(script, PYTHON_PEER);
        return script;
    }

    @Test
    void python3SpeaksTheFramingOverStandardStreams() throws Exception {
        try (ChildProcess py = names.closeAfter(ChildProcess.builder("python3", pythonPeer().toString())
                .framed(true).start())) {
            Channel ch = py.channel();
            for (String s : new String[] {"hello", "", "from java"}) {
                ch.send(bytes(s));
                assertThat(text(ch.receive(PATIENCE))).isEqualTo(s.toUpperCase());
            }
            py.closeChannel();
            assertThat(py.join(PATIENCE)).as("python sees end of file when the parent closes").isTrue();
            assertThat(py.exitCode()).hasValue(0);
        }
    }

    @Test
    void peerKilledInTheMiddleOfAFrameIsPeerGone() throws Exception {
        try (ChildProcess py = names.closeAfter(ChildProcess.builder("python3", pythonPeer().toString())
                .framed(true).start())) {
            py.channel().send(bytes("die-mid-frame"));
            assertThatThrownBy(() -> py.channel().receive(PATIENCE)).isInstanceOf(PeerGoneException.class)
                    .hasMessageContaining("in the middle of a frame (10 of 100 payload bytes arrived)")
                    .hasMessageContaining("killed by signal 9");
        }
    }

    @Test
    void missingProgramIsAClearError() {
        assertThatThrownBy(() -> ChildProcess.start("ipc4j-no-such-program"))
                .isInstanceOf(IpcException.class).hasMessageContaining("ipc4j-no-such-program");
        assertThatThrownBy(() -> ChildProcess.builder()).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void closeKillsAChildThatIgnoresEndOfFile() throws Exception {
        ChildProcess child = echoChild().closeGrace(Duration.ofMillis(300)).start();
        try {
            child.channel().send(bytes("ping"));
            assertThat(text(child.channel().receive(PATIENCE))).isEqualTo("ping");
            child.channel().send(bytes("sleep"));
            Thread.sleep(300);
            long start = System.nanoTime();
            child.close();
            assertThat(child.isAlive()).isFalse();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
            assertThat(child.exitCode()).hasValue(137);
        } finally {
            child.kill();
        }
    }
}
