package org.ipc4j.shm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.CorruptedStateException;
import org.ipc4j.api.Ipc;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A region's file truncated by another process while mapped: every access beyond the new end faults
 * ({@code SIGBUS}), which must reach the user as {@link CorruptedStateException}, never as
 * {@code java.lang.InternalError} or a crash. The truncation is done here with {@link FileChannel#truncate},
 * as another process would.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShmTruncationIT {
    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    private String name() {
        String name = names.unique("trunc");
        names.onCleanup(() -> SharedMemory.unlink(name));
        return name;
    }

    private static void truncate(Path file, long size) throws Exception {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(size);
        }
    }

    @Test
    void aChannelTruncatedUnderItsPeersGivesCorruptedStateException() throws Exception {
        String name = name();
        ShmChannel a = (ShmChannel) Ipc.open("shm:" + name + "?capacity=64k");
        ShmChannel b = (ShmChannel) Ipc.open("shm:" + name + "?capacity=64k");
        try {
            a.send("before".getBytes(StandardCharsets.UTF_8));
            assertThat(new String(b.receive(), StandardCharsets.UTF_8)).isEqualTo("before");
            // b waits for the next message while the file goes
            CompletableFuture<byte[]> waiting = CompletableFuture.supplyAsync(() -> {
                try {
                    return b.receive(Duration.ofSeconds(30));
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            Thread.sleep(200);
            truncate(a.path(), 0);

            assertThatThrownBy(() -> a.send("after".getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOf(CorruptedStateException.class).hasMessageContaining(a.path().toString())
                    .hasMessageContaining("truncated").hasMessageContaining("has 0 bytes");
            assertThatThrownBy(() -> waiting.get(20, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(CorruptedStateException.class).hasMessageContaining("truncated");
            assertThatThrownBy(() -> a.receive(Duration.ofMillis(50))).isInstanceOf(CorruptedStateException.class);
            assertThatThrownBy(() -> a.receiver().read((region, offset, length) -> { }, 10))
                    .isInstanceOf(CorruptedStateException.class);
            assertThatThrownBy(() -> a.sender().tryClaim(8)).isInstanceOf(CorruptedStateException.class);
        } finally {
            // closing a broken channel must not throw an Error either
            a.close();
            b.close();
        }
        assertThat(a.isOpen()).isFalse();
    }

    @Test
    void aRingTruncatedBehindItsDataArea() throws Exception {
        String name = name();
        ShmRingConfig config = ShmRingConfig.defaults().capacity(1 << 16);
        try (RingConsumer consumer = ShmRing.openConsumer(name, config, OpenOptions.create());
                RingProducer producer = ShmRing.openProducer(name)) {
            // keep the header page: the data area beyond it goes
            truncate(producer.path(), 4096);
            byte[] message = new byte[64];
            CorruptedStateException e = null;
            // the first records may still lie in the page kept; go on until a send reaches the lost pages
            for (int i = 0; i < 200 && e == null; i++) {
                try {
                    producer.send(message);
                    consumer.receive();
                } catch (CorruptedStateException caught) {
                    e = caught;
                }
            }
            assertThat(e).isNotNull();
            assertThat(e).hasMessageContaining("has 4096 bytes").hasMessageContaining(String.valueOf(4096 + 65536));
        }
    }

    /**
     * The view of a plain region converts the fault when the JDK reports it within the call, and from then on
     * throws without touching the memory. The JDK may report a fault in compiled code a little later (at its
     * next safepoint check, as {@link InternalError}), which ipc4j cannot catch: so this asks that nothing
     * crashes, that a fault ipc4j sees names the truncation, and that every access after it throws.
     */
    @Test
    void aRegionViewTruncatedUnderIt() throws Exception {
        String name = name();
        try (SharedMemory region = SharedMemory.open(name, 8192, OpenOptions.create())) {
            RegionBytes bytes = region.bytes();
            bytes.writeLong(4096, 1);
            truncate(region.path(), 100);
            assertThat(bytes.readLong(8)).as("the page kept is readable").isZero();
            Throwable first = null;
            for (int i = 0; i < 100_000 && first == null; i++) {
                try {
                    bytes.readLong(4096);
                } catch (Throwable t) {
                    first = t;
                }
            }
            assertThat(first).isNotNull();
            if (first instanceof UncheckedIOException) {
                assertThat(first).cause().isInstanceOf(CorruptedStateException.class)
                        .hasMessageContaining("has 100 bytes");
                assertThatThrownBy(() -> bytes.readLong(8)).as("broken for good").isInstanceOf(UncheckedIOException.class);
            } else {
                assertThat(first).isInstanceOf(InternalError.class).hasMessageContaining("fault");
            }
        }
    }
}
