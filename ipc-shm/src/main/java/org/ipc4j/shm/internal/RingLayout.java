package org.ipc4j.shm.internal;

/**
 * Offsets and constants of the ring format, version 2 (described for other languages in
 * {@code docs/shm-format.md}). All multi-byte values are little-endian (the native order of every platform
 * ipc4j runs on; the magic number detects a mismatch). Offsets are from the start of the ring header.
 */
public final class RingLayout {
    /** "IPC4JRNG" read as a little-endian long. */
    public static final long MAGIC = 0x474E524A34435049L;
    /** Version 2 added the doorbell words; version 1 rings (no doorbells) are refused. */
    public static final int VERSION = 2;

    public static final int VARIANT_SPSC = 1;
    public static final int VARIANT_MPSC = 2;

    public static final int KIND_RING = 0;
    public static final int KIND_CHANNEL_A_TO_B = 1;
    public static final int KIND_CHANNEL_B_TO_A = 2;

    // header fields, written once at creation
    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 8;
    public static final int VARIANT_OFFSET = 12;
    public static final int CAPACITY_OFFSET = 16;
    public static final int MAX_MESSAGE_OFFSET = 24;
    public static final int HEADER_LENGTH_OFFSET = 28;
    public static final int MAX_PRODUCERS_OFFSET = 32;
    public static final int ALIGNMENT_OFFSET = 36;
    public static final int KIND_OFFSET = 40;

    // hot counters, each alone on 128 bytes (two cache lines: adjacent-line prefetch shares pairs)
    public static final int TAIL_OFFSET = 128;
    public static final int HEAD_OFFSET = 256;

    // participant slots: owner word (generation << 32 | pid), start time, heartbeat (epoch ms), reserved
    public static final int CONSUMER_SLOT_OFFSET = 384;
    public static final int PRODUCER_SLOTS_OFFSET = 512;
    public static final int SLOT_LENGTH = 32;
    public static final int SLOT_OWNER = 0;
    public static final int SLOT_START_TIME = 8;
    public static final int SLOT_HEARTBEAT = 16;
    /** Multi-producer rings: 1 + the tail a producer is claiming from, written before its tail CAS; 0 = none. */
    public static final int SLOT_RESERVATION = 24;
    public static final int MAX_PRODUCERS = 64;

    // doorbells (version 2), each a 32-bit futex word alone on 128 bytes: bit 0 = a waiter is announced,
    // bits 1-31 = a sequence the waker advances; see Doorbell and docs/shm-format.md
    /** The consumer sleeps here while the ring is empty; producers ring it after a commit or abort. */
    public static final int DATA_DOORBELL_OFFSET = 2560;
    /** Producers sleep here while the ring is full; the consumer rings it after moving head. */
    public static final int ROOM_DOORBELL_OFFSET = 2688;

    /** The data area starts one page after the header start. */
    public static final int HEADER_LENGTH = 4096;

    // records: int length (negative while being written, includes the 8-byte header), int tag
    public static final int RECORD_HEADER = 8;
    public static final int ALIGNMENT = 8;
    public static final int TYPE_DATA = 1;
    public static final int TYPE_PADDING = 2;
    /**
     * Owner pid of a slot being taken, as older writers (and C programs following the first text of the
     * format) mark it: counts as alive only while the slot's heartbeat is recent.
     */
    public static final int PID_CLAIMING = -1;
    /** Bit 63 of the owner word: the slot is being taken by the pid in the low half. */
    public static final long CLAIMING_BIT = 1L << 63;
    /** How long a bare {@link #PID_CLAIMING} marker counts as alive after the taker's heartbeat. */
    public static final long CLAIMING_GRACE_MILLIS = 1000;

    public static final int MIN_CAPACITY = 64;
    public static final long MAX_CAPACITY = 1L << 30;

    private RingLayout() {
    }

    /** tag = type (bits 0-7) | producer slot (bits 8-15) | low 16 bits of the slot generation (bits 16-31). */
    public static int tag(int type, int slot, int generation) {
        return type | (slot << 8) | (generation << 16);
    }

    public static int tagType(int tag) {
        return tag & 0xFF;
    }

    public static int tagSlot(int tag) {
        return (tag >>> 8) & 0xFF;
    }

    public static int tagGeneration(int tag) {
        return tag >>> 16;
    }

    /** The 8-byte record header as one little-endian long: length in the low half, tag in the high half. */
    public static long header(int length, int tag) {
        return ((long) tag << 32) | (length & 0xFFFF_FFFFL);
    }

    public static int align(int length) {
        return (length + ALIGNMENT - 1) & -ALIGNMENT;
    }

    /** The largest message for a capacity: a record may take at most half the data area. */
    public static int maxMessageLimit(long capacity) {
        return (int) Math.min(Integer.MAX_VALUE - 16, capacity / 2 - RECORD_HEADER);
    }

    /** Bytes a ring with this capacity occupies, header included. */
    public static long ringBytes(long capacity) {
        return HEADER_LENGTH + capacity;
    }
}
