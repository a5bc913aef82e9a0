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
 * <p>This is the Java 17 to 21 implementation, VarHandles over the {@link MappedByteBuffer}; the multi-release
 * jar replaces it on Java 22 and later with one over a {@code MemorySegment} of the same mapping. Both have
 * the same methods. The names follow the memory-ordering terms of the ring code: "ordered" is a release
 * store, "volatile" a volatile load, "compare and swap" a volatile CAS.
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
        return (long) LONG.get(buffer, index(address));
    }

    /** {@code readVolatileLong} at {@code address} (see the class comment for the terms). */
    public long readVolatileLong(long address) {
        return (long) LONG.getVolatile(buffer, index(address));
    }

    /** {@code writeLong} at {@code address} (see the class comment for the terms). */
    public void writeLong(long address, long value) {
        LONG.set(buffer, index(address), value);
    }

    /** A release store. */
    public void writeOrderedLong(long address, long value) {
        LONG.setRelease(buffer, index(address), value);
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
        return (int) INT.get(buffer, index(address));
    }

    /** {@code readVolatileInt} at {@code address} (see the class comment for the terms). */
    public int readVolatileInt(long address) {
        return (int) INT.getVolatile(buffer, index(address));
    }

    /** {@code writeInt} at {@code address} (see the class comment for the terms). */
    public void writeInt(long address, int value) {
        INT.set(buffer, index(address), value);
    }

    /** A release store. */
    public void writeOrderedInt(long address, int value) {
        INT.setRelease(buffer, index(address), value);
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
            LONG.set(buffer, at, word);
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
        return buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }
}
