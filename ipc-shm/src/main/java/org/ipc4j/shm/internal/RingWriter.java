package org.ipc4j.shm.internal;

import static org.ipc4j.shm.internal.RingLayout.*;

import java.nio.ByteBuffer;

/**
 * The producer's attachment to a ring: its slot, the claim of a record, commit and abort.
 *
 * <p>Protocol (see docs/shm-format.md). Positions {@code tail} and {@code head} are byte counts that only
 * grow; the index in the data area is {@code position & (capacity - 1)}. A producer reserves space by
 * moving {@code tail} (a plain ordered store for one producer, a CAS for many, see {@link SharedClaims}),
 * writes the record header with a negative length, the payload, then the positive length with a release
 * store. Producers read {@code head} only when their cached copy says the ring is full (JCTools' cached
 * opposite index), so in the steady state each side writes its own cache lines.
 */
public final class RingWriter {
    private final RingMemory ring;
    /** The ring's memory (named as the constant it replaces, so the access code reads the same). */
    private final MappedMemory M;
    private final long regionAddress;
    private final long data;
    private final int dataIndex;
    private final int capacity;
    private final int mask;
    private final int maxRecord;
    private final boolean single;
    private final long tailAddr;
    private final long headAddr;
    /** Rung after every commit and abort: the consumer may sleep on it. */
    private final Doorbell dataBell;
    /** The multi-producer claims; {@code null} for a single-producer ring. */
    final SharedClaims claims;

    private int slot = -1;
    private int generation;
    private int dataTag;
    private int padTag;
    private long headCache;
    private long tail;

    public RingWriter(RingMemory ring) {
        this.ring = ring;
        this.M = ring.M;
        this.regionAddress = ring.regionAddress;
        this.data = ring.data;
        this.dataIndex = ring.dataIndex;
        this.capacity = ring.capacity;
        this.mask = ring.mask;
        this.maxRecord = ring.maxRecord;
        this.single = ring.variant == VARIANT_SPSC;
        this.tailAddr = ring.tailAddr;
        this.headAddr = ring.headAddr;
        this.dataBell = ring.dataBell;
        this.claims = single ? null : new SharedClaims(ring);
    }

    /**
     * Takes a producer slot. Returns false if the (single-producer) slot or all slots are held by live endpoints.
     *
     * @throws org.ipc4j.api.IpcException if a slot's kernel lock cannot be queried
     */
    public boolean attach() throws org.ipc4j.api.IpcException {
        int slots = ring.producerSlots();
        for (int n = 0; n < slots; n++) {
            int i = slots == 1 ? 0 : RingSlots.SLOT_ORDER[n];
            int gen = RingSlots.acquire(ring, ring.producerSlot(i));
            if (gen > 0) {
                slot = i;
                generation = gen;
                dataTag = tag(TYPE_DATA, i, gen & 0xFFFF);
                padTag = tag(TYPE_PADDING, i, gen & 0xFFFF);
                tail = M.readVolatileLong(tailAddr);
                headCache = M.readVolatileLong(headAddr);
                if (claims != null) {
                    claims.attached(ring.producerSlot(i) + SLOT_RESERVATION, dataTag, padTag);
                }
                return true;
            }
        }
        return false;
    }

    /**
     * Leaves the producer slot. For a multi-producer ring a named claim in flight on another thread is waited
     * for first (see {@link SharedClaims#quiesce()}); if it does not end, the slot is kept, and so must be its
     * kernel lock: until the process ends.
     *
     * @return false if the slot was kept
     */
    public boolean detach() {
        if (slot < 0) {
            return true;
        }
        if (claims != null && !claims.quiesce()) {
            return false;
        }
        RingSlots.release(ring, ring.producerSlot(slot), generation);
        return true;
    }

    /** Records that this producer is alive now (rate-limited by the caller). */
    public void heartbeat() {
        if (slot >= 0) {
            M.writeOrderedLong(ring.producerSlot(slot) + SLOT_HEARTBEAT, System.currentTimeMillis());
        }
    }

    /**
     * Reserves a record for {@code length} bytes. Returns the region offset of the payload, or -1 if the ring
     * has no room now. The caller checked {@code 0 <= length <= maxMessage}.
     */
    public long tryClaim(int length) {
        int recordLength = length + RECORD_HEADER;
        int aligned = align(recordLength);
        int index;
        if (single) {
            long t = tail;
            index = (int) t & mask;
            int toEnd = capacity - index;
            int required = aligned <= toEnd ? aligned : toEnd + aligned;
            if (t + required - headCache > capacity) {
                headCache = M.readVolatileLong(headAddr);
                if (t + required - headCache > capacity) {
                    return -1;
                }
            }
            if (aligned > toEnd) {
                M.writeLong(data + index, header(toEnd, padTag));
                index = 0;
            }
            M.writeLong(data + index, header(-recordLength, dataTag));
            tail = t + required;
            M.writeOrderedLong(tailAddr, t + required);
        } else {
            index = claims.claim(aligned, recordLength);
            if (index < 0) {
                return -1;
            }
        }
        return dataIndex + index + RECORD_HEADER;
    }

    private long claimedHeader(long payloadOffset) {
        long index = payloadOffset - RECORD_HEADER - dataIndex;
        if (index < 0 || index >= capacity || (index & (ALIGNMENT - 1)) != 0) {
            throw new IllegalArgumentException("offset " + payloadOffset + " is not a claim of this ring");
        }
        long address = data + index;
        int length = M.readInt(address);
        if (length >= 0 || -length > maxRecord || M.readInt(address + 4) != dataTag) {
            throw new IllegalStateException("no open claim of this producer at offset " + payloadOffset
                    + " (already committed or aborted?)");
        }
        return address;
    }

    /** Publishes the claimed record. */
    public void commit(long payloadOffset) {
        long address = claimedHeader(payloadOffset);
        M.writeOrderedInt(address, -M.readInt(address));
        dataBell.ring();
    }

    /**
     * Publishes the claim made by {@link #tryClaim} at {@code payloadOffset} if it is still open; false if the
     * consumer skipped it meanwhile (this producer closed while the message was being written).
     */
    public boolean tryCommit(long payloadOffset) {
        long address = data + (payloadOffset - RECORD_HEADER - dataIndex);
        int length = M.readInt(address);
        if (length >= 0 || M.readInt(address + 4) != dataTag) {
            return false;
        }
        M.writeOrderedInt(address, -length);
        dataBell.ring();
        return true;
    }

    /** Turns the claimed record into padding the consumer skips. */
    public void abort(long payloadOffset) {
        long address = claimedHeader(payloadOffset);
        M.writeOrderedLong(address, header(align(-M.readInt(address)), padTag));
        dataBell.ring();
    }

    /** Copies {@code length} bytes from {@code src} at its position into a claimed payload. */
    public void put(long payloadOffset, ByteBuffer src, int length) {
        RingCopies.copyIn(ring, payloadOffset, src, length);
    }

    /** Bytes claimed or queued and not yet consumed (a snapshot). */
    public long backlog() {
        return ring.backlog();
    }

    public RingMemory memory() {
        return ring;
    }
}
