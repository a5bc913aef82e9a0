package org.ipc4j.shm.internal;

import static org.ipc4j.shm.internal.RingLayout.*;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.ipc4j.api.CorruptedStateException;
import org.ipc4j.api.internal.posix.ByteLocks;

/**
 * One ring inside a mapped region, its header validated: the addresses of its counters, slots and data
 * area, and the geometry every length read from shared memory is checked against. Writes the header of a
 * new ring ({@link #format}) and validates an existing one ({@link #attach}); the producer
 * ({@link RingWriter}) and the consumer ({@link RingReader}) work on what this describes.
 *
 * <p>The hot path accesses memory by these addresses through {@link #M}, the JDK's bounds-checked access to
 * the mapping, which keeps the mapping reachable for as long as this object is: a racing close cannot make
 * such accesses fault.
 */
public final class RingMemory {
    /** The memory of the mapping (named as the constant it replaced, so the access code reads the same). */
    final MappedMemory M;

    final Path file;
    final MappedStore store;
    /** The whole mapping, little-endian, for copies (absolute indices: never moves a position). */
    final ByteBuffer view;
    /** The same, big-endian: copies read and write words in the caller buffer's order. */
    final ByteBuffer viewBigEndian;
    final long regionAddress;
    final long ringAddress;
    /** Address and region index of the data area. */
    final long data;
    final int dataIndex;
    final int capacity;
    final int mask;
    final int maxMessage;
    /** The largest data record: the largest message plus its header. */
    final int maxRecord;
    final int variant;
    final int kind;
    final long tailAddr;
    final long headAddr;
    /** Where the consumer sleeps for data, and producers for room. */
    final Doorbell dataBell;
    final Doorbell roomBell;
    /**
     * This endpoint's kernel locks on the region file, one byte per participant slot (see {@link RingSlots});
     * {@code null} where the platform has none, and liveness falls back to pid and start time.
     */
    ByteLocks locks;

    private RingMemory(MappedStore store, long offset, Path file, int capacity, int maxMessage, int variant, int kind) {
        this.file = file;
        this.store = store;
        this.M = store.memory();
        this.view = M.buffer();
        this.viewBigEndian = M.buffer(java.nio.ByteOrder.BIG_ENDIAN);
        this.regionAddress = store.address();
        this.ringAddress = regionAddress + offset;
        this.dataIndex = (int) (offset + HEADER_LENGTH);
        this.data = regionAddress + dataIndex;
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.maxMessage = maxMessage;
        this.maxRecord = maxMessage + RECORD_HEADER;
        this.variant = variant;
        this.kind = kind;
        this.tailAddr = ringAddress + TAIL_OFFSET;
        this.headAddr = ringAddress + HEAD_OFFSET;
        this.dataBell = new Doorbell(M, ringAddress + DATA_DOORBELL_OFFSET, store, file);
        this.roomBell = new Doorbell(M, ringAddress + ROOM_DOORBELL_OFFSET, store, file);
    }

    /** Writes the header of a new ring (the region is fresh and zero-filled). */
    public static void format(MappedStore region, long offset, long capacity, int maxMessage, int variant,
            int kind) {
        MappedMemory m = region.memory();
        long at = region.address() + offset;
        m.writeInt(at + VERSION_OFFSET, VERSION);
        m.writeInt(at + VARIANT_OFFSET, variant);
        m.writeLong(at + CAPACITY_OFFSET, capacity);
        m.writeInt(at + MAX_MESSAGE_OFFSET, maxMessage);
        m.writeInt(at + HEADER_LENGTH_OFFSET, HEADER_LENGTH);
        m.writeInt(at + MAX_PRODUCERS_OFFSET, variant == VARIANT_SPSC ? 1 : MAX_PRODUCERS);
        m.writeInt(at + ALIGNMENT_OFFSET, ALIGNMENT);
        m.writeInt(at + KIND_OFFSET, kind);
        // the magic last: a reader that sees it sees the rest
        m.writeOrderedLong(at + MAGIC_OFFSET, MAGIC);
    }

    /**
     * Validates the ring header at {@code offset} (no role taken yet).
     *
     * @param expectedKind the {@code kind} field required, or -1 for any
     * @param expectedVariant the variant required, or 0 for any
     * @throws CorruptedStateException naming the file and the bad field
     */
    public static RingMemory attach(MappedStore store, long offset, Path file, int expectedKind, int expectedVariant)
            throws CorruptedStateException {
        long size = store.capacity();
        if (size < offset + HEADER_LENGTH) {
            throw corrupt(file, "size", "the file has " + size + " bytes, too small for a ring header of "
                    + HEADER_LENGTH + " bytes at offset " + offset);
        }
        MappedMemory m = store.memory();
        long at = store.address() + offset;
        long magic = m.readVolatileLong(at + MAGIC_OFFSET);
        if (magic != MAGIC) {
            throw corrupt(file, "magic", "expected 0x" + Long.toHexString(MAGIC) + " (\"IPC4JRNG\"), found 0x"
                    + Long.toHexString(magic) + "; not an ipc4j ring, or not yet initialised");
        }
        int version = m.readInt(at + VERSION_OFFSET);
        if (version != VERSION) {
            throw corrupt(file, "version", "found " + version + ", this library reads version " + VERSION
                    + (version == 1 ? " (version 1 rings, without doorbell words, are from an earlier ipc4j: close"
                            + " every process using it and remove the file)" : ""));
        }
        long capacity = m.readLong(at + CAPACITY_OFFSET);
        if (capacity < MIN_CAPACITY || capacity > MAX_CAPACITY || Long.bitCount(capacity) != 1) {
            throw corrupt(file, "capacity", "found " + capacity + ", must be a power of two from " + MIN_CAPACITY
                    + " to " + MAX_CAPACITY);
        }
        if (size < offset + HEADER_LENGTH + capacity) {
            throw corrupt(file, "size", "the file has " + size + " bytes, too small for a ring of capacity "
                    + capacity + " at offset " + offset + " (needs " + (offset + HEADER_LENGTH + capacity) + ")");
        }
        int headerLength = m.readInt(at + HEADER_LENGTH_OFFSET);
        if (headerLength != HEADER_LENGTH) {
            throw corrupt(file, "headerLength", "found " + headerLength + ", expected " + HEADER_LENGTH);
        }
        int alignment = m.readInt(at + ALIGNMENT_OFFSET);
        if (alignment != ALIGNMENT) {
            throw corrupt(file, "alignment", "found " + alignment + ", expected " + ALIGNMENT);
        }
        int maxMessage = m.readInt(at + MAX_MESSAGE_OFFSET);
        if (maxMessage < 0 || maxMessage > maxMessageLimit(capacity)) {
            throw corrupt(file, "maxMessage", "found " + maxMessage + ", must be 0 to " + maxMessageLimit(capacity)
                    + " for capacity " + capacity);
        }
        int variant = m.readInt(at + VARIANT_OFFSET);
        if (variant != VARIANT_SPSC && variant != VARIANT_MPSC) {
            throw corrupt(file, "variant", "found " + variant + ", expected 1 (single producer) or 2 (multi producer)");
        }
        if (expectedVariant != 0 && variant != expectedVariant) {
            throw corrupt(file, "variant", "found " + variantName(variant) + ", but " + variantName(expectedVariant)
                    + " was asked for");
        }
        int kind = m.readInt(at + KIND_OFFSET);
        if (kind < KIND_RING || kind > KIND_CHANNEL_B_TO_A || (expectedKind >= 0 && kind != expectedKind)) {
            throw corrupt(file, "kind", "found " + kind + (expectedKind >= 0 ? ", expected " + expectedKind : "")
                    + " (0 = ring, 1/2 = the rings of a channel)");
        }
        int maxProducers = m.readInt(at + MAX_PRODUCERS_OFFSET);
        if (maxProducers != (variant == VARIANT_SPSC ? 1 : MAX_PRODUCERS)) {
            throw corrupt(file, "maxProducers", "found " + maxProducers);
        }
        return new RingMemory(store, offset, file, (int) capacity, maxMessage, variant, kind);
    }

    static String variantName(int variant) {
        return variant == VARIANT_SPSC ? "single-producer" : variant == VARIANT_MPSC ? "multi-producer" : "" + variant;
    }

    private static CorruptedStateException corrupt(Path file, String field, String detail) {
        return new CorruptedStateException("ring " + file + ": field " + field + ": " + detail);
    }

    /**
     * Judges participants by the kernel locks {@code locks} on the region file (the endpoint's own instance,
     * closed with the region), or by pid and start time if {@code null}. Call before taking a slot.
     */
    public void liveness(ByteLocks locks) {
        this.locks = locks;
    }

    /** The byte of the region file whose lock says that the owner of {@code slot} (an address) is alive. */
    long lockByte(long slot) {
        return slot - regionAddress;
    }

    /** Address of producer slot {@code index}. */
    long producerSlot(int index) {
        return ringAddress + PRODUCER_SLOTS_OFFSET + (long) index * SLOT_LENGTH;
    }

    long consumerSlot() {
        return ringAddress + CONSUMER_SLOT_OFFSET;
    }

    /** How many producer slots the variant has: 1 or {@link RingLayout#MAX_PRODUCERS}. */
    int producerSlots() {
        return variant == VARIANT_SPSC ? 1 : MAX_PRODUCERS;
    }

    /** Bytes between head and tail (claimed or complete, not yet consumed). */
    public long backlog() {
        return M.readVolatileLong(tailAddr) - M.readVolatileLong(headAddr);
    }

    /** The doorbell the consumer sleeps on while the ring is empty. */
    public Doorbell dataBell() {
        return dataBell;
    }

    /** The doorbell producers sleep on while the ring is full. */
    public Doorbell roomBell() {
        return roomBell;
    }

    public Path file() {
        return file;
    }

    public int capacity() {
        return capacity;
    }

    public int maxMessage() {
        return maxMessage;
    }

    public int variant() {
        return variant;
    }

    public int kind() {
        return kind;
    }

    public MappedStore store() {
        return store;
    }
}
