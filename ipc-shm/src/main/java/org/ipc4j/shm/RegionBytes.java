package org.ipc4j.shm;

import java.nio.ByteBuffer;
import java.util.Objects;
import org.ipc4j.shm.internal.MappedMemory;
import org.ipc4j.shm.internal.MappedStore;

/**
 * Access to the bytes of a shared-memory region by offset, {@code 0} to {@link #capacity()}: the view of
 * {@link SharedMemory#bytes()}, {@link RingProducer#bytes()}, {@link RingConsumer#bytes()} and of
 * {@link MessageHandler}. JDK memory access only (no JVM flags, no {@code sun.misc.Unsafe}); all values are
 * little-endian.
 *
 * <p><b>Ordering.</b> Plain reads and writes ({@code readLong}, {@code writeLong}...) give no ordering between
 * threads or processes. {@code readVolatile*} are acquire loads, {@code writeOrdered*} release stores,
 * {@code writeVolatileLong}, {@code compareAndSwap*} and {@code addAndGet*} are volatile (sequentially
 * consistent) atomic operations; these need their offset aligned to the size of the value (4 or 8 bytes)
 * and throw {@link IllegalStateException} for a misaligned one.
 *
 * <p><b>Errors.</b> An offset outside the region throws {@link IndexOutOfBoundsException}. After the region
 * is closed every access throws {@link IllegalStateException}; an access racing the close reads or writes
 * the still-mapped memory (the pages are unmapped only once nothing can reach them), it never faults. Safe
 * for use by several threads at once.
 */
public final class RegionBytes {
    private final MappedStore store;
    private final MappedMemory memory;
    private final long base;
    /** The whole mapping, for bulk copies (absolute indices only: shared by all threads). */
    private final ByteBuffer view;
    private final long capacity;
    private final String what;

    RegionBytes(MappedStore store, String what) {
        this.store = store;
        this.memory = store.memory();
        this.base = store.address();
        this.view = memory.buffer();
        this.capacity = store.capacity();
        this.what = what;
    }

    /** Bytes in the region. */
    public long capacity() {
        return capacity;
    }

    private long at(long offset, int size) {
        if (store.isReleased()) {
            throw new IllegalStateException(what + " is closed");
        }
        if (offset < 0 || offset > capacity - size) {
            throw new IndexOutOfBoundsException("offset " + offset + " with " + size + " bytes is outside the "
                    + capacity + " bytes of " + what);
        }
        return base + offset;
    }

    public byte readByte(long offset) {
        return memory.readByte(at(offset, 1));
    }

    public void writeByte(long offset, byte value) {
        memory.writeByte(at(offset, 1), value);
    }

    public int readInt(long offset) {
        return memory.readInt(at(offset, 4));
    }

    public void writeInt(long offset, int value) {
        memory.writeInt(at(offset, 4), value);
    }

    public long readLong(long offset) {
        return memory.readLong(at(offset, 8));
    }

    public void writeLong(long offset, long value) {
        memory.writeLong(at(offset, 8), value);
    }

    /** An acquire load. */
    public int readVolatileInt(long offset) {
        return memory.readVolatileInt(at(offset, 4));
    }

    /** An acquire load. */
    public long readVolatileLong(long offset) {
        return memory.readVolatileLong(at(offset, 8));
    }

    /** A release store. */
    public void writeOrderedInt(long offset, int value) {
        memory.writeOrderedInt(at(offset, 4), value);
    }

    /** A release store. */
    public void writeOrderedLong(long offset, long value) {
        memory.writeOrderedLong(at(offset, 8), value);
    }

    /** A volatile store. */
    public void writeVolatileLong(long offset, long value) {
        memory.writeVolatileLong(at(offset, 8), value);
    }

    /** Atomically sets the value to {@code value} if it is {@code expected}; returns whether it did. */
    public boolean compareAndSwapInt(long offset, int expected, int value) {
        return memory.compareAndSwapInt(at(offset, 4), expected, value);
    }

    /** Atomically sets the value to {@code value} if it is {@code expected}; returns whether it did. */
    public boolean compareAndSwapLong(long offset, long expected, long value) {
        return memory.compareAndSwapLong(at(offset, 8), expected, value);
    }

    /** Atomically adds {@code delta}; returns the new value. */
    public int addAndGetInt(long offset, int delta) {
        return memory.getAndAddInt(at(offset, 4), delta) + delta;
    }

    /** Atomically adds {@code delta}; returns the new value. */
    public long addAndGetLong(long offset, long delta) {
        return memory.getAndAddLong(at(offset, 8), delta) + delta;
    }

    /** Copies {@code length} bytes at {@code offset} into {@code dst} from {@code dstOffset}. */
    public void read(long offset, byte[] dst, int dstOffset, int length) {
        Objects.checkFromIndexSize(dstOffset, length, dst.length);
        memory.copyTo(at(offset, length), dst, dstOffset, length);
    }

    /** Copies {@code length} bytes of {@code src} from {@code srcOffset} to {@code offset}. */
    public void write(long offset, byte[] src, int srcOffset, int length) {
        Objects.checkFromIndexSize(srcOffset, length, src.length);
        memory.copyFrom(src, srcOffset, at(offset, length), length);
    }

    /** Copies the bytes from {@code offset} into {@code dst}'s remaining space, advancing its position. */
    public void read(long offset, ByteBuffer dst) {
        int length = dst.remaining();
        long address = at(offset, length);
        dst.put(dst.position(), view, (int) (address - base), length);
        dst.position(dst.position() + length);
    }

    /** Copies {@code src}'s remaining bytes to {@code offset}, advancing its position. */
    public void write(long offset, ByteBuffer src) {
        int length = src.remaining();
        long address = at(offset, length);
        view.put((int) (address - base), src, src.position(), length);
        src.position(src.position() + length);
    }

    @Override
    public String toString() {
        return "RegionBytes[" + what + ", " + capacity + " bytes" + (store.isReleased() ? ", closed" : "") + "]";
    }
}
