package org.ipc4j.pipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.Capability;
import org.ipc4j.api.Ipc;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.NoSuchObjectException;
import org.ipc4j.api.ObjectExistsException;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.api.PeerGoneException;
import org.ipc4j.api.PermissionDeniedException;
import org.ipc4j.api.Receiver;
import org.ipc4j.api.Sender;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** FIFO creation, modes, errors and the rendezvous open, in one JVM against the real kernel. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NamedPipeTest {
    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    /** Test-only libc calls: umask and the per-thread file-system uid. */
    interface TestLibc extends Library {
        TestLibc C = Native.load("c", TestLibc.class);

        int umask(int mask);

        int setfsuid(int uid);

        int setfsgid(int gid);

        int geteuid();
    }

    private static int mode(Path p) throws Exception {
        return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    }

    @Test
    void createMakesAnOwnerOnlyFifo() throws Exception {
        Path fifo = names.uniquePath("mode", ".fifo");
        NamedPipe.create(fifo);
        assertThat(NamedPipe.isFifo(fifo)).isTrue();
        assertThat(mode(fifo)).isEqualTo(0010600);
    }

    @Test
    void modeIsExactlyWhatWasAskedWhateverTheUmask() throws Exception {
        Path narrow = names.uniquePath("umask", ".fifo");
        Path group = names.uniquePath("group", ".fifo");
        int old = TestLibc.C.umask(0277);
        try {
            NamedPipe.create(narrow);
        } finally {
            TestLibc.C.umask(old);
        }
        assertThat(mode(narrow) & 0777).as("0600 despite umask 0277").isEqualTo(0600);
        old = TestLibc.C.umask(0022);
        try {
            NamedPipe.create(group, OpenOptions.create().permissions(0660));
        } finally {
            TestLibc.C.umask(old);
        }
        assertThat(mode(group) & 0777).as("0660 despite umask 0022").isEqualTo(0660);
    }

    @Test
    void badPathsGiveClearErrors() throws Exception {
        Path fifo = names.uniquePath("dup", ".fifo");
        NamedPipe.create(fifo);
        assertThatThrownBy(() -> NamedPipe.create(fifo)).isInstanceOf(ObjectExistsException.class)
                .hasMessageContaining(fifo.toString()).hasMessageContaining("EEXIST");
        assertThat(NamedPipe.create(fifo, OpenOptions.openOrCreate())).as("an existing FIFO is accepted").isFalse();

        Path file = names.uniquePath("file", ".txt");
        Files.writeString(file, "keep me");
        assertThatThrownBy(() -> NamedPipe.create(file, OpenOptions.openOrCreate())).isInstanceOf(IpcException.class)
                .hasMessageContaining("is a regular file, not a FIFO");
        assertThatThrownBy(() -> NamedPipe.openForReading(file, Duration.ofSeconds(1)))
                .hasMessageContaining("is a regular file, not a FIFO");
        assertThatThrownBy(() -> NamedPipe.unlink(file)).hasMessageContaining("refusing to unlink");
        assertThat(Files.readString(file)).isEqualTo("keep me");

        Path missingDir = Path.of(System.getProperty("java.io.tmpdir"), names.unique("nodir"), "x.fifo");
        assertThatThrownBy(() -> NamedPipe.create(missingDir)).isInstanceOf(NoSuchObjectException.class)
                .hasMessageContaining("ENOENT").hasMessageContaining("directory " + missingDir.getParent() + " does not exist");
        Path underFile = file.resolve("x.fifo");
        assertThatThrownBy(() -> NamedPipe.create(underFile)).as("a regular file where a directory should be")
                .isInstanceOf(NoSuchObjectException.class).hasMessageContaining("ENOTDIR")
                .hasMessageContaining("directory " + file + " does not exist");
        Path missing = names.uniquePath("none", ".fifo");
        assertThatThrownBy(() -> NamedPipe.openForWriting(missing, Duration.ofSeconds(1)))
                .isInstanceOf(NoSuchObjectException.class).hasMessageContaining(missing.toString());
        assertThatThrownBy(() -> NamedPipe.create(fifo, OpenOptions.create().permissions(0700)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * Root passes every permission check on its own uid, so the open runs on a thread whose file-system uid is
     * switched to nobody (setfsuid is per thread on Linux): the kernel's real check, on a 0600 root-owned FIFO.
     * As another user, a FIFO with mode 0 gives the same check.
     */
    @Test
    void noPermissionIsPermissionDenied() throws Exception {
        Path fifo = names.uniquePath("perm", ".fifo");
        boolean root = TestLibc.C.geteuid() == 0;
        NamedPipe.create(fifo, OpenOptions.create().permissions(root ? 0600 : 0));
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            if (root) {
                TestLibc.C.setfsgid(65534);
                TestLibc.C.setfsuid(65534);
            }
            try {
                outcome.complete(catchThrowable(() -> NamedPipe.openForReading(fifo, Duration.ofSeconds(2))));
            } finally {
                if (root) {
                    TestLibc.C.setfsuid(0);
                    TestLibc.C.setfsgid(0);
                }
            }
        });
        t.start();
        assertThat(outcome.get(10, TimeUnit.SECONDS)).isInstanceOf(PermissionDeniedException.class)
                .hasMessageContaining("EACCES").hasMessageContaining(fifo.toString());
    }

    private static long openerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(th -> th.getName().startsWith("ipc4j-fifo-open")).count();
    }

    private static void awaitNoOpenerThreads() throws InterruptedException {
        for (int i = 0; i < 200 && openerThreads() > 0; i++) {
            Thread.sleep(10);
        }
        assertThat(openerThreads()).as("helper threads left in open(2)").isZero();
    }

    @Test
    void openTimesOutWithoutAPeerAndLeavesNoThreadBehind() throws Exception {
        Path fifo = names.uniquePath("alone", ".fifo");
        NamedPipe.create(fifo);
        for (boolean write : new boolean[] {false, true}) {
            long start = System.nanoTime();
            Throwable t = catchThrowable(() -> {
                if (write) {
                    NamedPipe.openForWriting(fifo, Duration.ofMillis(300));
                } else {
                    NamedPipe.openForReading(fifo, Duration.ofMillis(300));
                }
            });
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertThat(t).isInstanceOf(OpenTimeoutException.class).hasMessageContaining(write ? "no reader" : "no writer");
            assertThat(ms).isBetween(250L, 5_000L);
            awaitNoOpenerThreads();
        }
    }

    @Test
    void interruptWakesAnOpenThatWaitsForItsPeer() throws Exception {
        Path fifo = names.uniquePath("intr", ".fifo");
        NamedPipe.create(fifo);
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        CompletableFuture<Boolean> flag = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            outcome.complete(catchThrowable(() -> NamedPipe.openForReading(fifo, Duration.ofMinutes(5))));
            flag.complete(Thread.currentThread().isInterrupted());
        });
        t.start();
        Thread.sleep(200);
        assertThat(outcome).isNotDone();
        t.interrupt();
        assertThat(outcome.get(5, TimeUnit.SECONDS)).isInstanceOf(InterruptedIOException.class);
        assertThat(flag.get(5, TimeUnit.SECONDS)).as("interrupt status kept").isTrue();
        awaitNoOpenerThreads();
    }

    @Test
    void rawStreamsAndFramedEndpointsInOneProcess() throws Exception {
        Path fifo = names.uniquePath("raw", ".fifo");
        NamedPipe.create(fifo);
        CompletableFuture<byte[]> reader = CompletableFuture.supplyAsync(() -> {
            try (InputStream in = NamedPipe.openForReading(fifo, Duration.ofSeconds(10))) {
                return in.readAllBytes();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        try (OutputStream out = NamedPipe.openForWriting(fifo, Duration.ofSeconds(10))) {
            out.write("raw bytes".getBytes());
        }
        assertThat(new String(reader.get(10, TimeUnit.SECONDS))).isEqualTo("raw bytes");

        CompletableFuture<Receiver> receiver = CompletableFuture.supplyAsync(() -> {
            try {
                return NamedPipe.openReceiver(fifo, Duration.ofSeconds(10));
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        try (Sender sender = NamedPipe.openSender(fifo, Duration.ofSeconds(10));
                Receiver in = receiver.get(10, TimeUnit.SECONDS)) {
            sender.send("one".getBytes());
            sender.send(new byte[0]);
            assertThat(in.receive(Duration.ofSeconds(5))).isEqualTo("one".getBytes());
            assertThat(in.receive(Duration.ofSeconds(5))).isEmpty();
            sender.close();
            assertThatThrownBy(() -> in.receive(Duration.ofSeconds(5))).isInstanceOf(PeerGoneException.class)
                    .hasMessageContaining("every writer closed it");
        }
        NamedPipe.unlink(fifo);
        NamedPipe.unlink(fifo);
        assertThat(Files.exists(fifo)).isFalse();
    }

    @Test
    void fifoAddressesSpeakTheSharedVocabularyAndTheCapabilityIsReported() {
        assertThatThrownBy(() -> Ipc.open("fifo:/tmp/ipc4j-x?role=c")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("role=c").hasMessageContaining("auto, a or b");
        assertThatThrownBy(() -> Ipc.open("fifo:/tmp/ipc4j-x?colour=red")).hasMessageContaining("colour");
        // the names of before the shared vocabulary are misspellings now, and misspellings stay errors
        for (String old : new String[] {"open=create", "permissions=600", "msgsize=1m", "unlinkOnClose=true"}) {
            assertThatThrownBy(() -> Ipc.open("fifo:/tmp/ipc4j-x?" + old)).as(old)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown parameter");
        }
        assertThatThrownBy(() -> Ipc.open("fifo:/tmp/ipc4j-x?perm=9")).hasMessageContaining("octal");
        assertThatThrownBy(() -> Ipc.open("fifo:/tmp/ipc4j-x?mode=sometimes")).hasMessageContaining("mode=sometimes");
        assertThatThrownBy(() -> Ipc.open("fifo:/tmp/ipc4j-x?maxmsg=0")).hasMessageContaining("maxmsg=0");
        assertThatThrownBy(() -> Ipc.open("fifo:/tmp/ipc4j-x?timeout=soon")).hasMessageContaining("timeout=soon");
        assertThat(Files.exists(Path.of("/tmp/ipc4j-x.lease"))).as("bad addresses create nothing").isFalse();
        Capability c = Ipc.capability("fifo");
        assertThat(c.supported()).as(c.toString()).isTrue();
        assertThat(NamedPipe.capability().artifact()).isEqualTo("org.ipc4j:ipc-pipe");
        assertThat(NamedPipe.ATOMIC_PAYLOAD).isEqualTo(4092);
    }

    @Test
    void fifoChannelOpenByAddressTimesOutCreatesOwnerOnlyFilesAndLeavesNothing() throws Exception {
        Path base = names.uniquePath("uri", "");
        Path a2b = FifoChannel.aToB(base);
        Path b2a = FifoChannel.bToA(base);
        Path lease = FifoChannel.lease(base);
        names.deleteAfter(a2b);
        names.deleteAfter(b2a);
        names.deleteAfter(lease);
        CompletableFuture<Throwable> t = CompletableFuture.supplyAsync(
                () -> catchThrowable(() -> Ipc.open("fifo:" + base + "?timeout=2s")));
        for (int i = 0; i < 500 && !Files.exists(b2a, LinkOption.NOFOLLOW_LINKS); i++) {
            Thread.sleep(5);
        }
        // while it waits for the other side
        assertThat(mode(a2b)).isEqualTo(0010600);
        assertThat(mode(b2a)).isEqualTo(0010600);
        assertThat(mode(lease) & 0777).isEqualTo(0600);
        assertThat(t.get(10, TimeUnit.SECONDS)).isInstanceOf(OpenTimeoutException.class);
        FifoRendezvousTest.assertNothingLeft(base);
        awaitNoOpenerThreads();
        // mode=create refuses a FIFO that exists, and leaves it alone: it is not this open's
        NamedPipe.create(a2b);
        assertThatThrownBy(() -> Ipc.open("fifo:" + base + "?mode=create&timeout=200ms"))
                .isInstanceOf(ObjectExistsException.class);
        assertThat(NamedPipe.isFifo(a2b)).isTrue();
        assertThat(Files.exists(b2a, LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(Files.exists(lease, LinkOption.NOFOLLOW_LINKS)).isFalse();
    }
}
