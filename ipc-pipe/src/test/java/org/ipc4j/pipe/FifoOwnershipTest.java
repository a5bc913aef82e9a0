package org.ipc4j.pipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.Ipc;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.api.PermissionDeniedException;
import org.ipc4j.api.Sender;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * FIFOs that this user does not control are refused: a symbolic link at the path (also one swapped in while an
 * open waits), and a FIFO owned by another uid (planted in /tmp before us).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FifoOwnershipTest {
    private static final int NOBODY = 65534;

    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    private static boolean root() {
        return NamedPipeTest.TestLibc.C.geteuid() == 0;
    }

    /** A FIFO owned by nobody, as another local user would leave it (needs root to chown). */
    private Path foreignFifo(String prefix) throws Exception {
        assumeTrue(root(), "chown to another uid needs root");
        Path fifo = names.uniquePath(prefix, ".fifo");
        NamedPipe.create(fifo, OpenOptions.create().permissions(0666));
        Files.setAttribute(fifo, "unix:uid", NOBODY, LinkOption.NOFOLLOW_LINKS);
        return fifo;
    }

    @Test
    void aFifoOwnedByAnotherUserIsRefusedEverywhere() throws Exception {
        Path fifo = foreignFifo("foreign");
        assertThatThrownBy(() -> NamedPipe.create(fifo, OpenOptions.openOrCreate()))
                .isInstanceOf(PermissionDeniedException.class)
                .hasMessageContaining(fifo.toString()).hasMessageContaining("owned by uid " + NOBODY);
        assertThatThrownBy(() -> NamedPipe.create(fifo, OpenOptions.open())).isInstanceOf(PermissionDeniedException.class);
        assertThatThrownBy(() -> NamedPipe.openReceiver(fifo, Duration.ofMillis(300)))
                .isInstanceOf(PermissionDeniedException.class).hasMessageContaining("owned by uid " + NOBODY);
        assertThatThrownBy(() -> NamedPipe.openSender(fifo, Duration.ofMillis(300)))
                .isInstanceOf(PermissionDeniedException.class);
        assertThatThrownBy(() -> NamedPipe.openForReading(fifo, Duration.ofMillis(300)))
                .isInstanceOf(PermissionDeniedException.class);
        assertThatThrownBy(() -> NamedPipe.openForWriting(fifo, Duration.ofMillis(300)))
                .isInstanceOf(PermissionDeniedException.class);
    }

    @Test
    void aFifoChannelDoesNotAdoptAPlantedFifo() throws Exception {
        assumeTrue(root(), "chown to another uid needs root");
        Path base = names.uniquePath("plant", "");
        Path a2b = FifoChannel.aToB(base);
        names.deleteAfter(a2b);
        names.deleteAfter(FifoChannel.bToA(base));
        names.deleteAfter(FifoChannel.lease(base));
        NamedPipe.create(a2b, OpenOptions.create().permissions(0666));
        Files.setAttribute(a2b, "unix:uid", NOBODY, LinkOption.NOFOLLOW_LINKS);
        assertThatThrownBy(() -> Ipc.open("fifo:" + base + "?timeout=300ms"))
                .isInstanceOf(PermissionDeniedException.class).hasMessageContaining(a2b.toString());
        assertThat(Files.getAttribute(a2b, "unix:uid", LinkOption.NOFOLLOW_LINKS)).as("the planted FIFO is left alone")
                .isEqualTo(NOBODY);
        assertThat(Files.exists(FifoChannel.lease(base), LinkOption.NOFOLLOW_LINKS)).isFalse();
    }

    /**
     * The lease file says which sides are held and is deleted when a session ends: a link would have a session
     * lock and delete through it, and another user's file would let that user keep every side taken.
     */
    @Test
    void aLeaseFileThatIsALinkOrBelongsToAnotherUserIsRefused() throws Exception {
        Path base = names.uniquePath("lease", "");
        Path lease = FifoChannel.lease(base);
        names.deleteAfter(lease);
        names.deleteAfter(FifoChannel.aToB(base));
        names.deleteAfter(FifoChannel.bToA(base));
        Path target = names.uniquePath("elsewhere", ".txt");
        Files.writeString(target, "not a lease");
        Files.createSymbolicLink(lease, target);
        assertThatThrownBy(() -> Ipc.open("fifo:" + base + "?timeout=300ms")).isInstanceOf(IpcException.class)
                .hasMessageContaining(lease.toString()).hasMessageContaining("symbolic link");
        assertThat(Files.readString(target)).isEqualTo("not a lease");
        assertThat(Files.isSymbolicLink(lease)).as("the link is left alone").isTrue();
        assertThat(Files.exists(FifoChannel.aToB(base), LinkOption.NOFOLLOW_LINKS)).as("nothing created").isFalse();

        assumeTrue(root(), "chown to another uid needs root");
        Files.delete(lease);
        Files.writeString(lease, "");
        Files.setAttribute(lease, "unix:uid", NOBODY, LinkOption.NOFOLLOW_LINKS);
        assertThatThrownBy(() -> Ipc.open("fifo:" + base + "?timeout=300ms")).isInstanceOf(PermissionDeniedException.class)
                .hasMessageContaining("owned by uid " + NOBODY);
    }

    @Test
    void aSymbolicLinkAtThePathIsRefused() throws Exception {
        Path target = names.uniquePath("target", ".fifo");
        NamedPipe.create(target);
        Path link = names.uniquePath("link", ".fifo");
        Files.createSymbolicLink(link, target);
        assertThat(NamedPipe.isFifo(link)).isFalse();
        assertThatThrownBy(() -> NamedPipe.openReceiver(link, Duration.ofMillis(300)))
                .isInstanceOf(IpcException.class).hasMessageContaining(link.toString()).hasMessageContaining("symbolic link");
        assertThatThrownBy(() -> NamedPipe.openSender(link, Duration.ofMillis(300))).hasMessageContaining("symbolic link");
        assertThatThrownBy(() -> NamedPipe.create(link, OpenOptions.openOrCreate())).hasMessageContaining("symbolic link");
        assertThat(NamedPipe.isFifo(target)).as("the link's target is untouched").isTrue();
    }

    /**
     * The race: the path is checked, then a writer waits for a reader; meanwhile the path is replaced by a link
     * to another FIFO, which has a reader. Before the fix the writer's descriptor was opened by path after
     * the wait, followed the link and sent the messages to that other FIFO's reader.
     */
    @Test
    void aLinkSwappedInWhileTheOpenWaitsIsNotFollowed() throws Exception {
        Path fifo = names.uniquePath("swap", ".fifo");
        NamedPipe.create(fifo);
        Path moved = names.uniquePath("moved", ".fifo");
        Path other = root() ? foreignFifo("other") : names.uniquePath("other", ".fifo");
        if (!root()) {
            NamedPipe.create(other);
        }
        names.deleteAfter(fifo);
        CompletableFuture<Throwable> opened = CompletableFuture.supplyAsync(() -> catchThrowable(() -> {
            try (Sender s = NamedPipe.openSender(fifo, Duration.ofSeconds(10))) {
                s.send("secret".getBytes());
            }
        }));
        // wait until the writer sits in its blocking open of the checked FIFO
        for (int i = 0; i < 500 && !openerWaiting(); i++) {
            Thread.sleep(10);
        }
        assertThat(openerWaiting()).isTrue();
        Thread.sleep(100);
        Files.move(fifo, moved);
        Files.createSymbolicLink(fifo, other);
        // a reader on the other FIFO (what an attacker would hold), then complete the writer's open
        try (FileChannel otherReader = openWithoutWaiting(other);
                FileChannel original = openWithoutWaiting(moved)) {
            Throwable t = opened.get(10, TimeUnit.SECONDS);
            assertThat(t).isInstanceOf(IpcException.class).hasMessageContaining("symbolic link");
            // whatever reached the other FIFO would come out before this marker
            otherReader.write(ByteBuffer.wrap("marker".getBytes()));
            ByteBuffer got = ByteBuffer.allocate(256);
            otherReader.read(got);
            assertThat(new String(got.array(), 0, got.position())).as("nothing reached the other FIFO").isEqualTo("marker");
        }
    }

    private static boolean openerWaiting() {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().startsWith("ipc4j-fifo-open"));
    }

    /** Opens read-write, which Linux allows on a FIFO without waiting: it is a reader that never blocks the open. */
    private static FileChannel openWithoutWaiting(Path fifo) throws Exception {
        return FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }
}
