package org.ipc4j.shm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.Role;
import org.ipc4j.api.CorruptedStateException;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Damaged region files give a clear error naming the file and the field, never a crash or a hang. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ShmRingCorruptionTest {
    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    private String name() {
        String name = names.unique("bad");
        names.onCleanup(() -> SharedMemory.unlink(name));
        return name;
    }

    /** Creates a valid ring of capacity 4096 and returns its file. */
    private Path ring(String name) throws Exception {
        try (RingProducer ring = ShmRing.openProducer(name, ShmRingConfig.defaults().capacity(4096), OpenOptions.create())) {
            return ring.path();
        }
    }

    private static void patch(Path file, long offset, ByteBuffer bytes) throws Exception {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(bytes, offset);
        }
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void wrongMagic() throws Exception {
        String name = name();
        Path file = ring(name);
        patch(file, 0, le(8).putLong(0, 0x1234).rewind());
        assertThatThrownBy(() -> ShmRing.openConsumer(name)).isInstanceOf(CorruptedStateException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("field magic").hasMessageContaining("0x1234");
    }

    @Test
    void wrongVersion() throws Exception {
        String name = name();
        Path file = ring(name);
        patch(file, 8, le(4).putInt(0, 99).rewind());
        assertThatThrownBy(() -> ShmRing.openConsumer(name)).isInstanceOf(CorruptedStateException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("field version").hasMessageContaining("99");
    }

    /** A ring of the format before the doorbells: refused by name, with what to do. */
    @Test
    void versionOneRingIsRefusedWithAdvice() throws Exception {
        String name = name();
        Path file = ring(name);
        patch(file, 8, le(4).putInt(0, 1).rewind());
        assertThatThrownBy(() -> ShmRing.openProducer(name)).isInstanceOf(CorruptedStateException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("field version: found 1")
                .hasMessageContaining("reads version 2").hasMessageContaining("remove the file");
    }

    @Test
    void capacityNotAPowerOfTwo() throws Exception {
        String name = name();
        Path file = ring(name);
        patch(file, 16, le(8).putLong(0, 3000).rewind());
        assertThatThrownBy(() -> ShmRing.openConsumer(name)).isInstanceOf(CorruptedStateException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("field capacity").hasMessageContaining("3000");
    }

    @Test
    void capacityLargerThanTheFile() throws Exception {
        String name = name();
        Path file = ring(name);
        patch(file, 16, le(8).putLong(0, 1 << 20).rewind());
        assertThatThrownBy(() -> ShmRing.openConsumer(name)).isInstanceOf(CorruptedStateException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("field size");
    }

    @Test
    void fileTooSmallForAHeader() throws Exception {
        String name = name();
        try (SharedMemory small = SharedMemory.open(name, 100, OpenOptions.create())) {
            assertThatThrownBy(() -> ShmRing.openConsumer(name))
                    .isInstanceOf(CorruptedStateException.class).hasMessageContaining(small.path().toString())
                    .hasMessageContaining("field size").hasMessageContaining("100 bytes");
        }
    }

    @Test
    void zeroFilledFileIsNotARing() throws Exception {
        String name = name();
        try (SharedMemory blank = SharedMemory.open(name, 8192, OpenOptions.create())) {
            assertThatThrownBy(() -> ShmRing.openProducer(name))
                    .isInstanceOf(CorruptedStateException.class).hasMessageContaining("field magic");
            assertThatThrownBy(() -> ShmChannel.open(name, Role.AUTO, ShmRingConfig.defaults(), OpenOptions.open()))
                    .isInstanceOf(CorruptedStateException.class).hasMessageContaining(blank.path().toString());
        }
    }

    @Test
    void ringIsNotAChannel() throws Exception {
        String name = name();
        ring(name);
        assertThatThrownBy(() -> ShmChannel.open(name, Role.AUTO, ShmRingConfig.defaults(), OpenOptions.open()))
                .isInstanceOf(CorruptedStateException.class).hasMessageContaining("field kind");
    }

    @Test
    void garbageRecordLengthIsReportedNotFollowed() throws Exception {
        String name = name();
        try (RingProducer producer = ShmRing.openProducer(name, ShmRingConfig.defaults().capacity(4096), OpenOptions.create());
                RingConsumer consumer = ShmRing.openConsumer(name)) {
            producer.send(ByteBuffer.allocate(8));
            // overwrite the committed record's length with a huge positive value
            producer.bytes().writeInt(4096, 0x7FFF_0000);
            assertThatThrownBy(() -> consumer.tryReceive(ByteBuffer.allocate(64)))
                    .isInstanceOf(CorruptedStateException.class).hasMessageContaining(consumer.path().toString())
                    .hasMessageContaining("length " + 0x7FFF_0000);
            assertThatThrownBy(() -> consumer.read((r, o, l) -> { }, 10)).isInstanceOf(CorruptedStateException.class);
        }
    }

    @Test
    void claimWhoseHeaderWasNeverWrittenIsSkippedAfterTheUnblockTimeout() throws Exception {
        String name = name();
        ShmRingConfig config = ShmRingConfig.defaults().capacity(4096).variant(ShmRingConfig.Variant.MULTI_PRODUCER)
                .unblockTimeout(Duration.ofSeconds(1)); // the shortest accepted
        try (RingProducer producer = ShmRing.openProducer(name, config, OpenOptions.create());
                RingConsumer consumer = ShmRing.openConsumer(name, config, OpenOptions.open())) {
            // a producer that moved the tail by 64 bytes and died before writing its header
            long tail = producer.bytes().readVolatileLong(128);
            producer.bytes().writeOrderedLong(128, tail + 64);
            producer.send(ByteBuffer.wrap("after".getBytes(StandardCharsets.UTF_8)));
            ByteBuffer in = ByteBuffer.allocate(64);
            long start = System.nanoTime();
            assertThat(consumer.tryReceive(in)).as("blocked by the open claim").isEqualTo(ShmRing.NO_MESSAGE);
            assertThat(consumer.receive(in, Duration.ofSeconds(10))).isEqualTo(5);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
            assertThat(new String(in.array(), 0, 5, StandardCharsets.UTF_8)).isEqualTo("after");
        }
    }
}
