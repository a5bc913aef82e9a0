package org.ipc4j.shm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.LimitReachedException;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.shm.internal.RegionFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regions on a nearly full tmpfs (as Docker's default 64 MiB /dev/shm): a region that does not fit must fail
 * when it is created, with a clear error, instead of faulting (SIGBUS, seen by Java as an InternalError or a
 * crash) when a page is first touched. Runs on a 1 MiB tmpfs this test mounts; needs the right to mount
 * (root or CAP_SYS_ADMIN) and is skipped, saying so, without it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SmallFileSystemTest {
    private static final long FS_SIZE = 1 << 20;

    private Path dir;
    private boolean mounted;
    private String previous;

    @BeforeEach
    void mountSmallTmpfs() throws Exception {
        dir = Files.createTempDirectory("ipc4j-small-shm");
        int rc = run("mount", "-t", "tmpfs", "-o", "size=" + FS_SIZE + ",mode=0700", "tmpfs", dir.toString());
        mounted = rc == 0;
        Assumptions.assumeTrue(mounted, "cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN): "
                + "the full-file-system behaviour is not tested in this environment");
        previous = System.getProperty(RegionFiles.DIR_PROPERTY);
        System.setProperty(RegionFiles.DIR_PROPERTY, dir.toString());
    }

    @AfterEach
    void unmount() throws Exception {
        if (previous == null) {
            System.clearProperty(RegionFiles.DIR_PROPERTY);
        } else {
            System.setProperty(RegionFiles.DIR_PROPERTY, previous);
        }
        if (mounted) {
            // lazy: the JDK unmaps a region only once its buffer is garbage collected, which keeps the file
            // system busy; detached now, the kernel frees it with the last mapping
            assertThat(run("umount", "-l", dir.toString())).as("umount -l " + dir).isZero();
        }
        Files.deleteIfExists(dir);
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    private long free() throws IOException {
        return Files.getFileStore(dir).getUsableSpace();
    }

    @Test
    void aRingLargerThanTheFileSystemFailsAtCreationNamingDirectorySizeAndFreeSpace() throws Exception {
        ShmRingConfig config = ShmRingConfig.defaults().capacity(4 << 20).maxMessage(60_000);
        long free = free();
        assertThatThrownBy(() -> ShmRing.openProducer("big", config,
                OpenOptions.create().unlinkOnClose(true)))
                .isInstanceOfSatisfying(LimitReachedException.class, e -> {
                    assertThat(e.limit()).isEqualTo("free space in " + dir);
                    assertThat(e.value()).isEqualTo(free);
                })
                .hasMessageStartingWith("posix_fallocate(\"" + dir.resolve("big"))
                .hasMessageContaining("ENOSPC")
                .hasMessageContaining("no room for " + (4096 + (4 << 20)) + " bytes")
                .hasMessageContaining("free space in " + dir + " is " + free + " bytes")
                .hasMessageContaining(dir + " holds " + FS_SIZE + " bytes in all")
                .hasMessageContaining("mount -o remount,size=N " + dir);
        try (var entries = Files.list(dir)) {
            assertThat(entries).as("no region and no temporary file left").isEmpty();
        }
        assertThat(free()).isEqualTo(free);
    }

    @Test
    void theSpaceOfARegionIsTakenWhenItIsCreated() throws Exception {
        long free = free();
        long size = 600 << 10;
        try (SharedMemory first = SharedMemory.open("first", size, OpenOptions.create().unlinkOnClose(true))) {
            assertThat(free - free()).as("blocks allocated before any page is touched").isGreaterThanOrEqualTo(size);
            // a second region that would not fit once the first is written is refused now, not later by a fault
            assertThatThrownBy(() -> SharedMemory.open("second", size, OpenOptions.create().unlinkOnClose(true)))
                    .isInstanceOf(LimitReachedException.class).hasMessageContaining("no room for " + size);
            // every page of the first is usable
            for (long at = 0; at < size; at += 8) {
                first.bytes().writeLong(at, at);
            }
            assertThat(first.bytes().readLong(size - 8)).isEqualTo(size - 8);
        }
    }

    @Test
    void aRingThatFitsCanBeFilledCompletely() throws Exception {
        ShmRingConfig config = ShmRingConfig.defaults().capacity(512 << 10).maxMessage(60_000);
        try (RingProducer producer = ShmRing.openProducer("fits", config,
                OpenOptions.create().unlinkOnClose(true));
                RingConsumer consumer = ShmRing.openConsumer("fits", config, OpenOptions.open())) {
            ByteBuffer message = ByteBuffer.allocate(60_000);
            int sent = 0;
            while (producer.trySend(message.clear())) {
                sent++;
            }
            assertThat(sent).isEqualTo(8);
            ByteBuffer in = ByteBuffer.allocate(60_000);
            for (int i = 0; i < sent; i++) {
                assertThat(consumer.tryReceive(in.clear())).isEqualTo(60_000);
            }
        }
    }
}
