package org.ipc4j.shm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.Channel;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.Ipc;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Pre-faulting, observed where the kernel reports it: the resident size of this process's mappings of the
 * region file in {@code /proc/self/smaps}, found by the file's inode (a region is mapped before it gets its
 * name, so the path shown there is not the name).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PrefaultTest {
    private static final long REGION = 8 << 20;

    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    @BeforeAll
    static void linuxOnly() {
        assumeTrue(Files.isReadable(Path.of("/proc/self/smaps")), "needs /proc/self/smaps (Linux)");
    }

    private String name() {
        String name = names.unique("pf");
        names.onCleanup(() -> SharedMemory.unlink(name));
        return name;
    }

    @Test
    void prefaultMapsEveryPageAndChangesNoByte() throws Exception {
        String name = name();
        try (SharedMemory writer = SharedMemory.open(name, REGION, OpenOptions.create());
                SharedMemory region = SharedMemory.open(name, OpenOptions.open())) {
            writer.bytes().writeOrderedLong(REGION - 8, 0x0123_4567_89ab_cdefL);
            writer.bytes().writeOrderedLong(4096 * 100 + 24, -5L);
            long inode = inode(region.path());
            // both mappings together: the writer touched two pages, the reader none yet
            assertThat(residentKb(inode)).isLessThan(64);

            region.prefault();

            assertThat(residentKb(inode)).isGreaterThanOrEqualTo(REGION / 1024);
            assertThat(region.bytes().readVolatileLong(REGION - 8)).isEqualTo(0x0123_4567_89ab_cdefL);
            assertThat(region.bytes().readVolatileLong(4096 * 100 + 24)).isEqualTo(-5L);
            assertThat(region.bytes().readVolatileLong(4096 * 1000)).isZero();
        }
    }

    @Test
    void touchingEachPageFaultsItInWithoutChangingIt() throws Exception {
        String name = name();
        try (SharedMemory writer = SharedMemory.open(name, REGION, OpenOptions.create());
                SharedMemory region = SharedMemory.open(name, OpenOptions.open())) {
            writer.bytes().writeOrderedLong(4096 * 7, 42L);
            long inode = inode(region.path());
            assertThat(residentKb(inode)).isLessThan(64);

            org.ipc4j.shm.internal.Residency.touchEachPage(region.store().memory(),
                    region.store().address(), REGION);

            assertThat(residentKb(inode)).isGreaterThanOrEqualTo(REGION / 1024);
            assertThat(region.bytes().readVolatileLong(4096 * 7)).isEqualTo(42L);
            assertThat(region.bytes().readVolatileLong(4096 * 8)).isZero();
        }
    }

    @Test
    void prefaultAfterCloseThrows() throws Exception {
        SharedMemory region = SharedMemory.open(name(), 4096, OpenOptions.create());
        region.close();
        assertThatThrownBy(region::prefault).isInstanceOf(EndpointClosedException.class)
                .hasMessageContaining(region.path().toString());
    }

    @Test
    void channelsPrefaultAtOpenUnlessTurnedOff() throws Exception {
        String eager = name();
        try (Channel channel = Ipc.open("shm:" + eager + "?capacity=4m&mode=create")) {
            long inode = inode(SharedMemory.pathOf(eager));
            long expectedKb = Files.size(SharedMemory.pathOf(eager)) / 1024;
            assertThat(residentKb(inode)).isGreaterThanOrEqualTo(expectedKb);
            assertThat(channel.isOpen()).isTrue();
        }
        String lazy = name();
        try (Channel channel = Ipc.open("shm:" + lazy + "?capacity=4m&mode=create&prefault=false")) {
            long inode = inode(SharedMemory.pathOf(lazy));
            // only the two ring headers (written at creation) and nothing of the 8 MiB of data areas
            assertThat(residentKb(inode)).isLessThan(64);
            assertThat(channel.isOpen()).isTrue();
        }
    }

    @Test
    void ringConfigTurnsItOff() throws Exception {
        String name = name();
        ShmRingConfig config = ShmRingConfig.defaults().capacity(4 << 20).prefault(false);
        assertThat(config.prefault()).isFalse();
        assertThat(ShmRingConfig.defaults().prefault()).isTrue();
        try (RingConsumer ring = ShmRing.openConsumer(name, config, OpenOptions.create())) {
            assertThat(residentKb(inode(SharedMemory.pathOf(name)))).isLessThan(64);
            try (RingProducer producer = ShmRing.openProducer(name)) {
                // the producer's open pre-faults (default config): the whole file is now resident in it
                assertThat(residentKb(inode(SharedMemory.pathOf(name)))).isGreaterThanOrEqualTo(4096);
            }
        }
    }

    private static long inode(Path file) throws IOException {
        return ((Number) Files.getAttribute(file, "unix:ino")).longValue();
    }

    /** Sum of the Rss of every mapping of the file with this inode in this process, in KiB. */
    static long residentKb(long inode) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/self/smaps"));
        long total = 0;
        boolean inMapping = false;
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 5 && f[0].matches("[0-9a-f]+-[0-9a-f]+")) {
                inMapping = f[4].equals(Long.toString(inode)) && !f[4].equals("0");
            } else if (inMapping && f[0].equals("Rss:")) {
                total += Long.parseLong(f[1]);
            }
        }
        return total;
    }
}
