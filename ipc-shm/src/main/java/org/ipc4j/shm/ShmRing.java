package org.ipc4j.shm;

import java.util.Objects;
import org.ipc4j.api.CorruptedStateException;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.LimitReachedException;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.shm.internal.RingLayout;
import org.ipc4j.shm.internal.RingMemory;
import org.ipc4j.shm.internal.RingReader;
import org.ipc4j.shm.internal.RingSlots;
import org.ipc4j.shm.internal.RingWriter;

/**
 * A lock-free ring buffer of variable-length messages in a named shared-memory region: this class opens its
 * ends, a {@link RingProducer} (a {@link org.ipc4j.api.Sender} with zero-copy claims) and a
 * {@link RingConsumer} (a {@link org.ipc4j.api.Receiver} with batch reads). Single-producer rings take one
 * producer, multi-producer rings up to 64 (threads of one producer end, or processes); there is always one
 * consumer. The binary layout is specified in {@code docs/shm-format.md}.
 *
 * <pre>{@code
 * ShmRingConfig config = ShmRingConfig.defaults().capacity(1 << 20);
 * try (RingProducer out = ShmRing.openProducer("quotes", config, OpenOptions.openOrCreate())) {
 *     out.send(ByteBuffer.wrap(bytes));                 // waits while the ring is full
 *     long at = out.tryClaim(16);                        // zero-copy: write in place, then commit
 *     if (at >= 0) { out.bytes().writeLong(at, 1); out.bytes().writeLong(at + 8, 2); out.commit(at); }
 * }
 * // in the consumer process
 * try (RingConsumer in = ShmRing.openConsumer("quotes", config, OpenOptions.openOrCreate())) {
 *     in.read((region, offset, length) -> handle(region, offset, length), 100);
 * }
 * }</pre>
 *
 * <p><b>Peers.</b> Each end holds a kernel lock on its slot's byte of the region file while attached (Linux:
 * an open-file-description lock, dropped by the kernel when the process dies, in whatever PID namespace), and
 * registers its pid and process start time in the ring for messages. A restarted producer or
 * consumer re-attaches and continues where the ring stands: committed messages are neither lost nor delivered
 * twice (one message being copied out by a consumer that is killed is delivered again). A ring has no
 * session: its name stays until {@link #unlink(String)} (or an end's {@code unlink()}).
 */
public final class ShmRing {
    /** Returned by the timed and try receives when no message is available. */
    public static final int NO_MESSAGE = org.ipc4j.api.Receiver.NO_MESSAGE;

    private ShmRing() {
    }

    /** Attaches as the producer of the existing ring {@code name}, with the default configuration. */
    public static RingProducer openProducer(String name) throws IpcException {
        return openProducer(name, ShmRingConfig.defaults(), OpenOptions.open());
    }

    /** Attaches as the consumer of the existing ring {@code name}, with the default configuration. */
    public static RingConsumer openConsumer(String name) throws IpcException {
        return openConsumer(name, ShmRingConfig.defaults(), OpenOptions.open());
    }

    /**
     * Creates or opens the ring {@code name} as {@code options} say, and attaches as a producer. A new ring gets
     * the capacity, maximum message and variant of {@code config}; an existing ring keeps its own (they are in
     * its header), and {@code config} only supplies the wait strategy and unblock timeout.
     *
     * @throws IllegalArgumentException for a bad name, or a maximum message too large for the capacity
     * @throws CorruptedStateException if the existing file is not a valid ring (names the file and field)
     * @throws LimitReachedException if the producer of a single-producer ring, or all 64 producer slots, are
     *         held by live processes, or a new ring does not fit in the file system
     * @throws org.ipc4j.api.ObjectExistsException if creating and the name exists
     * @throws org.ipc4j.api.NoSuchObjectException if opening and there is no such ring
     */
    public static RingProducer openProducer(String name, ShmRingConfig config, OpenOptions options)
            throws IpcException {
        SharedMemory region = region(name, config, options);
        try {
            RingMemory ring = RingMemory.attach(region.store(), 0, region.path(), RingLayout.KIND_RING, 0);
            ring.liveness(region.liveness());
            RingWriter writer = new RingWriter(ring);
            if (!writer.attach()) {
                boolean many = ring.variant() == RingLayout.VARIANT_MPSC;
                int limit = many ? RingLayout.MAX_PRODUCERS : 1;
                throw new LimitReachedException("ring " + region.path() + " already has its producer"
                        + (many ? "s (" + limit + ")" : "") + " attached (" + RingSlots.producerHolders(ring) + ")"
                        + (many ? "" : "; create it MULTI_PRODUCER for several producers"), "producers", limit);
            }
            return new RingProducer(region, writer, config, new RingPeers(ring), "ring " + region.name(), true);
        } catch (IpcException | RuntimeException e) {
            region.abandon(); // keep the name: the file may be another process's
            throw e;
        }
    }

    /**
     * Creates or opens the ring {@code name} as {@code options} say, and attaches as its consumer; see
     * {@link #openProducer(String, ShmRingConfig, OpenOptions)} for what a new ring gets.
     *
     * @throws LimitReachedException if a live process is the consumer, or a new ring does not fit
     * @throws CorruptedStateException if the existing file is not a valid ring (names the file and field)
     * @throws org.ipc4j.api.ObjectExistsException / {@link org.ipc4j.api.NoSuchObjectException} by the open mode
     */
    public static RingConsumer openConsumer(String name, ShmRingConfig config, OpenOptions options)
            throws IpcException {
        SharedMemory region = region(name, config, options);
        try {
            RingMemory ring = RingMemory.attach(region.store(), 0, region.path(), RingLayout.KIND_RING, 0);
            ring.liveness(region.liveness());
            RingReader reader = new RingReader(ring);
            if (!reader.attach()) {
                throw new LimitReachedException("ring " + region.path() + " already has its consumer attached ("
                        + RingSlots.consumerHolder(ring) + ")", "consumers", 1);
            }
            return new RingConsumer(region, reader, config, new RingPeers(ring), "ring " + region.name(), true);
        } catch (IpcException | RuntimeException e) {
            region.abandon();
            throw e;
        }
    }

    private static SharedMemory region(String name, ShmRingConfig config, OpenOptions options) throws IpcException {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(options, "options");
        long capacity = config.capacity();
        int maxMessage = config.checkedMaxMessage();
        int variant = config.variantCode();
        SharedMemory region = options.mayCreate()
                ? SharedMemory.open(name, RingLayout.ringBytes(capacity), 0, options,
                        (store, file) -> RingMemory.format(store, 0, capacity, maxMessage, variant, RingLayout.KIND_RING))
                : SharedMemory.open(name, options);
        if (config.prefault()) {
            try {
                region.prefault();
            } catch (IpcException | RuntimeException e) {
                region.abandon();
                throw e;
            }
        }
        return region;
    }

    /** Removes the name {@code name}; returns whether it existed. See {@link SharedMemory#unlink(String)}. */
    public static boolean unlink(String name) throws IpcException {
        return SharedMemory.unlink(name);
    }

    static ShmRingConfig.Variant variantOf(RingMemory ring) {
        return ring.variant() == RingLayout.VARIANT_SPSC ? ShmRingConfig.Variant.SINGLE_PRODUCER
                : ShmRingConfig.Variant.MULTI_PRODUCER;
    }

    /** A ring's peers: its consumer may restart at any time, so only a full ring asks about it. */
    private static final class RingPeers implements PeerWatch {
        private final RingMemory ring;

        RingPeers(RingMemory ring) {
            this.ring = ring;
        }

        @Override
        public String receiverClosed() {
            return null;
        }

        @Override
        public String receiverGone() {
            if (RingSlots.consumerState(ring) != RingSlots.SlotState.GONE) {
                return null;
            }
            return RingSlots.consumerDetached(ring) ? "the ring is full and its consumer closed"
                    : "the ring is full and the receiving process is gone (" + RingSlots.consumerHolder(ring) + " died)";
        }

        @Override
        public String sendersGone() {
            return RingSlots.producersState(ring) != RingSlots.SlotState.GONE ? null
                    : "no message queued and the sending side is gone (" + RingSlots.describeProducers(ring) + ")";
        }
    }
}
