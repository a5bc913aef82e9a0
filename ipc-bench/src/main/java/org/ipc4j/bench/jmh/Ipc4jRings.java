package org.ipc4j.bench.jmh;

import org.ipc4j.api.IpcException;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.bench.harness.MappedFiles;
import org.ipc4j.shm.MessageHandler;
import org.ipc4j.shm.RegionBytes;
import org.ipc4j.shm.RingConsumer;
import org.ipc4j.shm.RingProducer;
import org.ipc4j.shm.ShmRing;
import org.ipc4j.shm.ShmRingConfig;
import org.ipc4j.shm.WaitStrategy;

/**
 * ipc4j's shared-memory rings for the benchmarks: a producer end and a consumer end of one named ring (a
 * file in /dev/shm, as Agrona's baseline), same 1 MiB capacity, busy-spin waits.
 */
final class Ipc4jRings implements AutoCloseable {
    final String name;
    final ShmRingConfig config;
    final RingProducer producer;
    final RingConsumer consumer;

    Ipc4jRings(String tag, ShmRingConfig.Variant variant) throws IpcException {
        this.name = MappedFiles.uniqueName(tag);
        this.config = ShmRingConfig.defaults().capacity(AgronaRings.CAPACITY).variant(variant)
                .waitStrategy(WaitStrategy.busySpin());
        this.producer = ShmRing.openProducer(name, config, OpenOptions.create());
        this.consumer = ShmRing.openConsumer(name, config, OpenOptions.open());
    }

    @Override
    public void close() throws IpcException {
        try {
            producer.close();
            consumer.close();
        } finally {
            ShmRing.unlink(name);
        }
    }

    /** Reads each message's first long, so the consumer really touches the bytes. */
    static final class Sink implements MessageHandler {
        long sum;
        long count;

        @Override
        public void onMessage(RegionBytes region, long offset, int length) {
            sum += region.readLong(offset);
            count++;
        }
    }
}
