package org.ipc4j.shm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import net.openhft.chronicle.bytes.BytesStore;
import org.ipc4j.api.CorruptedStateException;
import org.ipc4j.api.NoSuchObjectException;
import org.ipc4j.api.ObjectExistsException;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SharedMemoryTest {
    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    private String name() {
        String name = names.unique("shm");
        names.onCleanup(() -> SharedMemory.unlink(name));
        return name;
    }

    @Test
    void twoMappingsOfOneNameShareBytes() throws Exception {
        String name = name();
        try (SharedMemory a = SharedMemory.open(name, 4096, OpenOptions.create());
                SharedMemory b = SharedMemory.open(name, OpenOptions.open())) {
            assertThat(a.created()).isTrue();
            assertThat(b.created()).isFalse();
            assertThat(b.size()).isEqualTo(4096);
            a.bytes().writeOrderedLong(128, 0x1234_5678_9abcL);
            assertThat(b.bytes().readVolatileLong(128)).isEqualTo(0x1234_5678_9abcL);
            assertThat(b.bytes().compareAndSwapLong(128, 0x1234_5678_9abcL, 7)).isTrue();
            assertThat(a.bytes().readLong(128)).isEqualTo(7);
            assertThat(a.bytes().readLong(4088)).isZero();
        }
    }

    @Test
    void createdOwnerOnlyInDevShm() throws Exception {
        String name = name();
        try (SharedMemory region = SharedMemory.open(name, 100, OpenOptions.create())) {
            Path file = region.path();
            if (Files.isDirectory(Path.of("/dev/shm"))) {
                assertThat(file).isEqualTo(Path.of("/dev/shm", name));
            }
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            assertThat(Files.size(file)).isEqualTo(100);
            // no temporary file is left next to it
            try (var list = Files.list(file.getParent())) {
                assertThat(list.filter(p -> p.getFileName().toString().contains(name)).count()).isEqualTo(1);
            }
        }
    }

    @Test
    void openModes() throws Exception {
        String name = name();
        assertThatThrownBy(() -> SharedMemory.open(name, OpenOptions.open()))
                .isInstanceOf(NoSuchObjectException.class).hasMessageContaining(name);
        try (SharedMemory first = SharedMemory.open(name, 64, OpenOptions.openOrCreate());
                SharedMemory second = SharedMemory.open(name, 64, OpenOptions.openOrCreate())) {
            assertThat(first.created()).isTrue();
            assertThat(second.created()).isFalse();
            assertThatThrownBy(() -> SharedMemory.open(name, 64, OpenOptions.create()))
                    .isInstanceOf(ObjectExistsException.class).hasMessageContaining(name);
            assertThatThrownBy(() -> SharedMemory.open(name, 65, OpenOptions.open()))
                    .isInstanceOf(CorruptedStateException.class).hasMessageContaining(name)
                    .hasMessageContaining("size").hasMessageContaining("64");
        }
    }

    @Test
    void badArguments() {
        assertThatThrownBy(() -> SharedMemory.open("a/b", 64, OpenOptions.create()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SharedMemory.open("ipc4j-x", 0, OpenOptions.create()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 0");
        assertThatThrownBy(() -> SharedMemory.open("ipc4j-x", SharedMemory.MAX_SIZE + 1, OpenOptions.create()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SharedMemory.open("ipc4j-x", OpenOptions.create()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("OPEN");
    }

    @Test
    void accessAfterCloseThrowsAndDoesNotCrash() throws Exception {
        String name = name();
        SharedMemory region = SharedMemory.open(name, 4096, OpenOptions.create().unlinkOnClose(true));
        RegionBytes view = region.bytes();
        BytesStore<?, ?> chronicle = region.chronicleBytes();
        view.writeLong(0, 42);
        assertThat(chronicle.readLong(0)).as("the Chronicle view shares the memory").isEqualTo(42);
        region.close();
        region.close(); // idempotent
        assertThat(region.isOpen()).isFalse();
        assertThat(Files.exists(region.path())).isFalse();
        assertThatThrownBy(region::bytes).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> view.readLong(0)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> view.writeLong(0, 1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> chronicle.readLong(0)).isInstanceOf(RuntimeException.class);
        assertThatThrownBy(region::chronicleBytes).isInstanceOf(IllegalStateException.class);
        // the view keeps the pages mapped: pressure the GC, the JVM must still not crash on access
        for (int i = 0; i < 3; i++) {
            System.gc();
            assertThatThrownBy(() -> view.readLong(8)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> chronicle.readLong(8)).isInstanceOf(RuntimeException.class);
        }
    }

    @Test
    void viewChecksOffsetsAndAlignment() throws Exception {
        String name = name();
        try (SharedMemory region = SharedMemory.open(name, 64, OpenOptions.create().unlinkOnClose(true))) {
            RegionBytes view = region.bytes();
            assertThat(view.capacity()).isEqualTo(64);
            view.writeLong(33, 0x0102030405060708L); // plain access may be unaligned
            assertThat(view.readLong(33)).isEqualTo(0x0102030405060708L);
            assertThat(view.readByte(33)).as("little-endian").isEqualTo((byte) 8);
            assertThat(view.addAndGetLong(8, 5)).isEqualTo(5);
            assertThat(view.compareAndSwapLong(8, 5, 7)).isTrue();
            assertThat(view.compareAndSwapInt(16, 1, 2)).isFalse();
            view.write(20, "hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, 5);
            byte[] back = new byte[5];
            view.read(20, back, 0, 5);
            assertThat(new String(back, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("hello");
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(5);
            view.read(20, buffer);
            assertThat(buffer.position()).isEqualTo(5);
            assertThatThrownBy(() -> view.readLong(57)).isInstanceOf(IndexOutOfBoundsException.class)
                    .hasMessageContaining("offset 57");
            assertThatThrownBy(() -> view.readLong(-1)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> view.readByte(64)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> view.readLong(Long.MIN_VALUE)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> view.write(60, new byte[8], 0, 8)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> view.read(0, new byte[4], 2, 4)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> view.readVolatileLong(4)).as("atomic access must be aligned")
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("offset 4");
            assertThatThrownBy(() -> view.compareAndSwapLong(12, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void staticAndInstanceUnlink() throws Exception {
        String name = name();
        try (SharedMemory region = SharedMemory.open(name, 64, OpenOptions.create())) {
            assertThat(SharedMemory.unlink(name)).isTrue();
            assertThat(SharedMemory.unlink(name)).isFalse();
            region.unlink(); // idempotent on a missing name
            region.bytes().writeInt(0, 5); // still usable after the unlink
            assertThat(region.bytes().readInt(0)).isEqualTo(5);
        }
    }

    @Test
    void refusesSymlinkPlantedUnderTheName() throws Exception {
        String name = name();
        Path target = names.uniquePath("target", ".bin");
        Files.write(target, new byte[64]);
        Path link = SharedMemory.pathOf(name);
        Files.createSymbolicLink(link, target);
        assertThatThrownBy(() -> SharedMemory.open(name, 64, OpenOptions.open()))
                .isInstanceOf(org.ipc4j.api.IpcException.class).hasMessageContaining(name);
    }

    @Test
    void createRemovesTemporaryFilesLeftByCreatorsThatDied() throws Exception {
        String name = name();
        Path dir = SharedMemory.pathOf(name).getParent();
        Process p = new ProcessBuilder("true").start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        // a creator killed before it linked its file leaves .NAME.new-PID-N behind
        Path stale = dir.resolve("." + name + ".new-" + p.pid() + "-7");
        Path live = dir.resolve("." + name + ".new-" + ProcessHandle.current().pid() + "-999999");
        names.deleteAfter(stale);
        names.deleteAfter(live);
        Files.write(stale, new byte[4096]);
        Files.write(live, new byte[16]);
        java.nio.file.attribute.FileTime old = java.nio.file.attribute.FileTime.from(
                java.time.Instant.now().minus(java.time.Duration.ofHours(1)));
        Files.setLastModifiedTime(stale, old);
        Files.setLastModifiedTime(live, old);
        try (SharedMemory region = SharedMemory.open(name, 4096, OpenOptions.create())) {
            assertThat(region.created()).isTrue();
        }
        assertThat(stale).doesNotExist();
        assertThat(live).as("its creator is alive").exists();
    }

    @Test
    void unlinkOnCloseLeavesANewerRegionOfTheSameNameAlone() throws Exception {
        String name = name();
        SharedMemory old = SharedMemory.open(name, 4096, OpenOptions.create().unlinkOnClose(true));
        old.bytes().writeLong(0, 1);
        // another process removes the name and creates a new region under it
        assertThat(SharedMemory.unlink(name)).isTrue();
        try (SharedMemory newer = SharedMemory.open(name, 4096, OpenOptions.create())) {
            newer.bytes().writeLong(0, 2);
            old.close();
            assertThat(newer.path()).exists();
            try (SharedMemory again = SharedMemory.open(name, OpenOptions.open())) {
                assertThat(again.bytes().readLong(0)).isEqualTo(2);
            }
        }
        // and it still removes its own file
        try (SharedMemory own = SharedMemory.open(name, OpenOptions.open().unlinkOnClose(true))) {
            assertThat(own.path()).exists();
        }
        assertThat(SharedMemory.pathOf(name)).doesNotExist();
    }
}
