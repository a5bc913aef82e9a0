package org.ipc4j.shm.internal;

import static org.ipc4j.shm.internal.RingLayout.*;

import java.nio.ByteBuffer;
import org.ipc4j.api.BufferTooSmallException;
import org.ipc4j.api.CorruptedStateException;
import org.ipc4j.api.internal.Receiving;
import org.ipc4j.shm.MessageHandler;
import org.ipc4j.shm.RegionBytes;

/**
 * The consumer's attachment to a ring: its slot and the reading of records. The consumer reads a record's
 * length with an acquire load: positive means complete. After use it marks the record consumed, zeroes it
 * (so a zero length always means "not written yet") and publishes {@code head} with a release store. Every
 * length read from shared memory is checked against the validated geometry before use. Abandoned claims at
 * the head are skipped by {@link ClaimSweeper}.
 */
public final class RingReader {
    private final RingMemory ring;
    /** The ring's memory (named as the constant it replaces, so the access code reads the same). */
    private final MappedMemory M;
    private final long regionAddress;
    private final long data;
    private final int dataIndex;
    private final int capacity;
    private final int mask;
    private final int maxRecord;
    private final long tailAddr;
    private final long headAddr;
    private final ClaimSweeper sweeper;
    /** Rung after every move of head: producers may sleep on it for room. */
    private final Doorbell roomBell;

    private int generation;
    private long head;

    public RingReader(RingMemory ring) {
        this.ring = ring;
        this.M = ring.M;
        this.regionAddress = ring.regionAddress;
        this.data = ring.data;
        this.dataIndex = ring.dataIndex;
        this.capacity = ring.capacity;
        this.mask = ring.mask;
        this.maxRecord = ring.maxRecord;
        this.tailAddr = ring.tailAddr;
        this.headAddr = ring.headAddr;
        this.sweeper = new ClaimSweeper(ring);
        this.roomBell = ring.roomBell;
    }

    /**
     * Takes the consumer slot; false if a live consumer holds it.
     *
     * @throws org.ipc4j.api.IpcException if the slot's kernel lock cannot be queried
     */
    public boolean attach() throws org.ipc4j.api.IpcException {
        int gen = RingSlots.acquire(ring, ring.consumerSlot());
        if (gen <= 0) {
            return false;
        }
        generation = gen;
        head = M.readVolatileLong(headAddr);
        if (ring.variant == VARIANT_SPSC) {
            skipReleasedRecord();
        }
        return true;
    }

    /**
     * Finishes step 5 for a consumer killed between releasing records and publishing {@code head}: it left
     * zeros at {@code head} although {@code tail} is past it. With one producer every record in
     * {@code [head, tail)} had its header written before {@code tail} covered it, and a header becomes 0 only
     * after its record is zeroed, so the zeros are released records: the next record starts at the first word
     * that is not 0 (or at {@code tail}). Without this the new consumer would wait at the zeros forever. With many
     * producers a zero at {@code head} may also be a claim whose header is not written yet; the unblock sweep
     * handles that case (see {@link ClaimSweeper}).
     */
    private void skipReleasedRecord() {
        long h = head;
        long t = M.readVolatileLong(tailAddr);
        if (t - h <= 0 || t - h > capacity || M.readVolatileLong(data + ((int) h & mask)) != 0) {
            return;
        }
        long p = h;
        while (p < t && M.readVolatileLong(data + ((int) p & mask)) == 0) {
            p += ALIGNMENT;
        }
        head = p;
        M.writeOrderedLong(headAddr, p);
        roomBell.ring();
    }

    public void detach() {
        RingSlots.release(ring, ring.consumerSlot(), generation);
    }

    public void heartbeat() {
        M.writeOrderedLong(ring.consumerSlot() + SLOT_HEARTBEAT, System.currentTimeMillis());
    }

    private int checkRecord(int length, int index, int tag) throws CorruptedStateException {
        int aligned = align(length);
        int type = tagType(tag);
        if ((type == TYPE_DATA && length > maxRecord) || length < RECORD_HEADER || aligned > capacity - index
                || (type != TYPE_DATA && type != TYPE_PADDING)) {
            throw new CorruptedStateException("ring " + ring.file + ": record at position " + head + " has length "
                    + length + " and type " + type + "; the largest record is " + maxRecord + " bytes, "
                    + (capacity - index) + " bytes are left before the end of the data area");
        }
        return aligned;
    }

    /** A padding record may be consumed only once the producer published the tail past it (SPSC wrap). */
    private boolean covered(long position, int aligned) {
        return M.readVolatileLong(tailAddr) - position >= aligned;
    }

    private void consume(long address, int aligned) {
        releaseRecord(address, aligned);
        M.writeOrderedLong(headAddr, head);
        roomBell.ring();
    }

    /**
     * Step 5 of the format without the head store: marks the record consumed, zeroes it, and moves the local
     * head past it. The caller publishes {@code head}, per message or once per batch: records released but
     * not yet published are all zeros below the published head, which a restarted consumer skips.
     */
    private void releaseRecord(long address, int aligned) {
        // Mark it consumed before zeroing: a consumer killed here restarts by skipping it, not redelivering.
        M.writeLong(address, header(aligned, TYPE_PADDING));
        if (aligned <= 256) {
            // small records: plain stores beat the native setMemory call
            for (int at = RECORD_HEADER; at < aligned; at += 8) {
                M.writeLong(address + at, 0L);
            }
        } else {
            M.setMemory(address + RECORD_HEADER, aligned - RECORD_HEADER, (byte) 0);
        }
        // Release: whoever sees the zero header (a restarted consumer, see skipReleasedRecord) sees zeros behind it.
        M.writeOrderedLong(address, 0L);
        head += aligned;
    }

    /**
     * Delivers up to {@code limit} messages to the handler, as offsets in {@code region} (the view of this
     * ring's mapping); returns how many. The head is published once for
     * the batch (as Agrona's consumer does), so producers see the room when the batch is done.
     */
    public int read(MessageHandler handler, RegionBytes region, int limit) throws CorruptedStateException {
        int count = 0;
        long start = head;
        try {
            while (count < limit) {
                long h = head;
                int index = (int) h & mask;
                long address = data + index;
                int length = M.readVolatileInt(address);
                if (length <= 0) {
                    break;
                }
                int tag = M.readInt(address + 4);
                int aligned = checkRecord(length, index, tag);
                if (tagType(tag) == TYPE_DATA) {
                    count++;
                    try {
                        handler.onMessage(region, dataIndex + index + RECORD_HEADER, length - RECORD_HEADER);
                    } finally {
                        releaseRecord(address, aligned);
                    }
                } else if (covered(h, aligned)) {
                    releaseRecord(address, aligned);
                } else {
                    break;
                }
            }
        } finally {
            if (head != start) {
                M.writeOrderedLong(headAddr, head);
                roomBell.ring();
            }
        }
        return count;
    }

    /**
     * Copies the next message into {@code dst} (or, if {@code dst} is {@code null}, into a new heap buffer of
     * exactly its size) at that buffer's position, and advances the position by its length.
     *
     * @return the buffer written, or {@code null} if no message is complete
     * @throws BufferTooSmallException if it does not fit in {@code dst}; nothing is consumed
     */
    public ByteBuffer poll(ByteBuffer dst) throws CorruptedStateException, BufferTooSmallException {
        while (true) {
            long h = head;
            int index = (int) h & mask;
            long address = data + index;
            int length = M.readVolatileInt(address);
            if (length <= 0) {
                return null;
            }
            int tag = M.readInt(address + 4);
            int aligned = checkRecord(length, index, tag);
            if (tagType(tag) != TYPE_DATA) {
                if (!covered(h, aligned)) {
                    return null;
                }
                consume(address, aligned);
                continue;
            }
            int size = length - RECORD_HEADER;
            // size is at most maxMessage here (checkRecord): safe to allocate for a null destination
            ByteBuffer into = Receiving.into(dst, size);
            int position = into.position();
            RingCopies.copyOut(ring, (int) (address + RECORD_HEADER - regionAddress), into, position, size);
            into.position(position + size);
            consume(address, aligned);
            return into;
        }
    }

    /**
     * Skips an abandoned claim at the head, if there is one whose producer can no longer complete it; see
     * {@link ClaimSweeper#unblock}. Called by the consumer while it waits.
     */
    public boolean unblock(long timeoutNanos) {
        return sweeper.unblock(head, timeoutNanos);
    }

    /** Whether the consumer stands at an open claim of a cleanly closed producer, still inside its grace time. */
    public boolean waitingForClosedClaim() {
        return sweeper.waitingForClosedClaim(head);
    }

    /** Bytes claimed or queued and not yet consumed (a snapshot). */
    public long backlog() {
        return ring.backlog();
    }

    public RingMemory memory() {
        return ring;
    }
}
