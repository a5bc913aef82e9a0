package org.ipc4j.shm.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;

/**
 * Memory access to one file mapping by address, with the JDK only: the hot path of the ring and the channels.
 * An address is {@code base + index} of the mapping; every access is bounds-checked by the JDK against the
 * mapping (an address outside it throws {@link IndexOutOfBoundsException}, it never touches other memory).
 * All values are little-endian (the ring format's order). Holding this object keeps the mapping reachable,
 * so the pages stay mapped while anyone can still reach it.
 *
 * <p>How: plain reads and writes are the buffer's absolute {@code getLong}/{@code putLong}... (one access
 * for an aligned value: atomic); a "volatile" read is an acquire load (the read, then
 * {@link VarHandle#acquireFence()}); an "ordered" write is a release store ({@link VarHandle#releaseFence()},
 * then the write); compare-and-swap, get-and-add and the volatile write are VarHandle operations over the
 * buffer (volatile semantics; they need aligned addresses). The ring only ever pairs release stores with
 * acquire loads (and CAS), so acquire is what its "volatile" reads need. Why not VarHandles throughout:
 * the buffer's own methods reach full speed in the first JIT tier already, VarHandle access only in the
 * last; with VarHandles everywhere the ring took seconds of a busy machine to warm up (RingOperations'
 * ipc4jSendReceive on a loaded 2-core machine, first second: 44 us per operation with VarHandles only,
 * 2.6 us like this; some 0.2 us once warm).
 * The names follow the terms of the ring code: "ordered" is a release store, "volatile" an acquire load.
 */
public final class MappedMemory {
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private final ByteBuffer buffer;
    private final long base;

    /**
     * @param mapping the mapping (its position and limit are not used: the whole capacity is addressed)
     * @param base the address of its first byte
     */
    public MappedMemory(MappedByteBuffer mapping, long base) {
        ByteBuffer whole = mapping.duplicate();
        whole.clear();
        this.buffer = whole.order(ByteOrder.LITTLE_ENDIAN);
        this.base = base;
    }

    /** The address of the first byte. */
    public long base() {
        return base;
    }

    /** Bytes mapped. */
    public long size() {
        return buffer.capacity();
    }

    private int index(long address) {
        long index = address - base;
        if (index < 0 || index > Integer.MAX_VALUE) {
            throw new IndexOutOfBoundsException("address " + address + " is outside the mapping at " + base);
        }
        return (int) index;
    }

    /** {@code readLong} at {@code address} (see the class comment for the terms). */
    public long readLong(long address) {
        return buffer.getLong(index(address));
    }

    /** An acquire load. */
    public long readVolatileLong(long address) {
        long value = buffer.getLong(index(address));
        VarHandle.acquireFence();
        return value;
    }

    /** {@code writeLong} at {@code address} (see the class comment for the terms). */
    public void writeLong(long address, long value) {
        buffer.putLong(index(address), value);
    }

    /** A release store. */
    public void writeOrderedLong(long address, long value) {
        int index = index(address);
        VarHandle.releaseFence();
        buffer.putLong(index, value);
    }

    /** A volatile store. */
    public void writeVolatileLong(long address, long value) {
        LONG.setVolatile(buffer, index(address), value);
    }

    /** {@code compareAndSwapLong} at {@code address} (see the class comment for the terms). */
    public boolean compareAndSwapLong(long address, long expected, long value) {
        return LONG.compareAndSet(buffer, index(address), expected, value);
    }

    /** {@code getAndAddLong} at {@code address} (see the class comment for the terms). */
    public long getAndAddLong(long address, long delta) {
        return (long) LONG.getAndAdd(buffer, index(address), delta);
    }

    /** {@code readInt} at {@code address} (see the class comment for the terms). */
    public int readInt(long address) {
        return buffer.getInt(index(address));
    }

    /** An acquire load. */
    public int readVolatileInt(long address) {
        int value = buffer.getInt(index(address));
        VarHandle.acquireFence();
        return value;
    }

    /** {@code writeInt} at {@code address} (see the class comment for the terms). */
    public void writeInt(long address, int value) {
        buffer.putInt(index(address), value);
    }

    /** A release store. */
    public void writeOrderedInt(long address, int value) {
        int index = index(address);
        VarHandle.releaseFence();
        buffer.putInt(index, value);
    }

    /** {@code compareAndSwapInt} at {@code address} (see the class comment for the terms). */
    public boolean compareAndSwapInt(long address, int expected, int value) {
        return INT.compareAndSet(buffer, index(address), expected, value);
    }

    /** {@code getAndAddInt} at {@code address} (see the class comment for the terms). */
    public int getAndAddInt(long address, int delta) {
        return (int) INT.getAndAdd(buffer, index(address), delta);
    }

    /** {@code readByte} at {@code address} (see the class comment for the terms). */
    public byte readByte(long address) {
        return buffer.get(index(address));
    }

    /** {@code writeByte} at {@code address} (see the class comment for the terms). */
    public void writeByte(long address, byte value) {
        buffer.put(index(address), value);
    }

    /** Sets {@code length} bytes from {@code address} to {@code value}. */
    public void setMemory(long address, long length, byte value) {
        int from = index(address);
        int to = index(address + length);
        long word = (value & 0xFFL) * 0x0101_0101_0101_0101L;
        int at = from;
        for (; at <= to - 8; at += 8) {
            buffer.putLong(at, word);
        }
        for (; at < to; at++) {
            buffer.put(at, value);
        }
    }

    /** Copies {@code length} bytes at {@code address} into {@code dst} at {@code offset}. */
    public void copyTo(long address, byte[] dst, int offset, int length) {
        buffer.get(index(address), dst, offset, length);
    }

    /** Copies {@code length} bytes of {@code src} at {@code offset} to {@code address}. */
    public void copyFrom(byte[] src, int offset, long address, int length) {
        buffer.put(index(address), src, offset, length);
    }

    /**
     * The whole mapping as a buffer (little-endian, position 0, limit its capacity): a new object each call,
     * sharing the memory. Absolute accesses through it are the index {@code address - base()}.
     */
    public ByteBuffer buffer() {
        return buffer(ByteOrder.LITTLE_ENDIAN);
    }

    /** As {@link #buffer()}, in the byte order {@code order}. */
    public ByteBuffer buffer(ByteOrder order) {
        return buffer.duplicate().order(order);
    }
}
