package org.ipc4j.shm;

import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
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
 * and throw {@link IllegalArgumentException} for a misaligned one.
 *
 * <p><b>Errors.</b> An offset outside the region throws {@link IndexOutOfBoundsException}. After the region
 * is closed every access throws {@link IllegalStateException}; an access racing the close reads or writes
 * the still-mapped memory (the pages are unmapped only once nothing can reach them), it never faults. If
 * another process truncated the file, an access beyond its new end throws {@link UncheckedIOException}
 * wrapping a {@link org.ipc4j.api.CorruptedStateException} that names the file and both sizes (best effort:
 * the JDK may report such a fault a little after the access, as {@link InternalError}). Safe for use by
 * several threads at once.
 */
public final class RegionBytes {
    private final MappedStore store;
    private final MappedMemory memory;
    private final long base;
    /** The whole mapping, for bulk copies (absolute indices only: shared by all threads). */
    private final ByteBuffer view;
    private final long capacity;
    private final String what;
    private final Path file;

    RegionBytes(MappedStore store, String what, Path file) {
        this.file = file;
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
        int state = store.state();
        if (state != 0) {
            throw unusable(state);
        }
        if (offset < 0 || offset > capacity - size) {
            throw new IndexOutOfBoundsException("offset " + offset + " with " + size + " bytes is outside the "
                    + capacity + " bytes of " + what);
        }
        return base + offset;
    }

    /** {@link #at} for an atomic access: aligned to its size. */
    private long aligned(long offset, int size) {
        long address = at(offset, size);
        if ((address & (size - 1)) != 0) {
            throw new IllegalArgumentException("offset " + offset + " of " + what + " is not aligned to " + size
                    + " bytes, as an atomic access needs");
        }
        return address;
    }

    /** The byte at {@code offset} (a plain read). */
    public byte readByte(long offset) {
        try {
            return memory.readByte(at(offset, 1));
        } catch (InternalError e) {
            throw fault(e);
        }
    }

    /** Writes the byte at {@code offset} (a plain write). */
    public void writeByte(long offset, byte value) {
        try {
            memory.writeByte(at(offset, 1), value);
        } catch (InternalError e) {
            throw fault(e);
        }
    }

    /** The int at {@code offset} (a plain read, any alignment). */
    public int readInt(long offset) {
        try {
            return memory.readInt(at(offset, 4));
        } catch (InternalError e) {
            throw fault(e);
        }
    }

    /** Writes the int at {@code offset} (a plain write, any alignment). */
    public void writeInt(long offset, int value) {
        try {
            memory.writeInt(at(offset, 4), value);
        } catch (InternalError e) {
            throw fault(e);
        }
    }

    /** The long at {@code offset} (a plain read, any alignment). */
    public long readLong(long offset) {
        try {
            return memory.readLong(at(offset, 8));
        } catch (InternalError e) {
            throw fault(e);
        }
    }

    /** Writes the long at {@code offset} (a plain write, any alignment). */
    public void writeLong(long offset, long value) {
        try {
            memory.writeLong(at(offset, 8), value);
        } catch (InternalError e) {
            throw fault(e);
        }
    }

    /** An acquire load. */
    public int readVolatileInt(long offset) {
        try {
            return memory.readVolatileInt(aligned(offset, 4));
        } catch (InternalError e) {
            throw fault(e);
        }
    }

    /** An acquire load. */
    public long readVolatileLong(long offset) {
        try {
            return memory.readVolatileLong(aligned(offset, 8));
        } catch (InternalError e) {
            throw fault(e);
        }
    }

    /** A release store. */
    public void writeOrderedInt(long offset, int value) {
        try {
            memory.writeOrderedInt(aligned(offset, 4), value);
        } catch (InternalError e) {
            throw fault(e);
        }
    }

    /** A release store. */
    public void writeOrderedLong(long offset, long value) {
        try {
            memory.writeOrderedLong(aligned(offset, 8), value);
        } catch (InternalError e) {
            throw fault(e);
        }
    }

    /** A volatile store. */
    public void writeVolatileLong(long offset, long value) {
        try {
            memory.writeVolatileLong(aligned(offset, 8), value);
        } catch (InternalError e) {
            throw fault(e);
        }
    }

    /** Atomically sets the value to {@code value} if it is {@code expected}; returns whether it did. */
    public boolean compareAndSwapInt(long offset, int expected, int value) {
        try {
            return memory.compareAndSwapInt(aligned(offset, 4), expected, value);
        } catch (InternalError e) {
            throw fault(e);
        }
    }

    /** Atomically sets the value to {@code value} if it is {@code expected}; returns whether it did. */
    public boolean compareAndSwapLong(long offset, long expected, long value) {
        try {
            return memory.compareAndSwapLong(aligned(offset, 8), expected, value);
        } catch (InternalError e) {
            throw fault(e);
        }
    }

    /** Atomically adds {@code delta}; returns the new value. */
    public int addAndGetInt(long offset, int delta) {
        try {
            return memory.getAndAddInt(aligned(offset, 4), delta) + delta;
        } catch (InternalError e) {
            throw fault(e);
        }
    }

    /** Atomically adds {@code delta}; returns the new value. */
    public long addAndGetLong(long offset, long delta) {
        try {
            return memory.getAndAddLong(aligned(offset, 8), delta) + delta;
        } catch (InternalError e) {
            throw fault(e);
        }
    }

    /** Copies {@code length} bytes at {@code offset} into {@code dst} from {@code dstOffset}. */
    public void read(long offset, byte[] dst, int dstOffset, int length) {
        try {
            Objects.checkFromIndexSize(dstOffset, length, dst.length);
            memory.copyTo(at(offset, length), dst, dstOffset, length);
        } catch (InternalError e) {
            throw fault(e);
        }
    }

    /** Copies {@code length} bytes of {@code src} from {@code srcOffset} to {@code offset}. */
    public void write(long offset, byte[] src, int srcOffset, int length) {
        try {
            Objects.checkFromIndexSize(srcOffset, length, src.length);
            memory.copyFrom(src, srcOffset, at(offset, length), length);
        } catch (InternalError e) {
            throw fault(e);
        }
    }

    /** Copies the bytes from {@code offset} into {@code dst}'s remaining space, advancing its position. */
    public void read(long offset, ByteBuffer dst) {
        try {
            int length = dst.remaining();
            long address = at(offset, length);
            dst.put(dst.position(), view, (int) (address - base), length);
            dst.position(dst.position() + length);
        } catch (InternalError e) {
            throw fault(e);
        }
    }

    /** Copies {@code src}'s remaining bytes to {@code offset}, advancing its position. */
    public void write(long offset, ByteBuffer src) {
        try {
            int length = src.remaining();
            long address = at(offset, length);
            view.put((int) (address - base), src, src.position(), length);
            src.position(src.position() + length);
        } catch (InternalError e) {
            throw fault(e);
        }
    }

    private RuntimeException unusable(int state) {
        if ((state & MappedStore.RELEASED) != 0) {
            return new IllegalStateException(what + " is closed");
        }
        return new UncheckedIOException(store.faulted());
    }

    private RuntimeException fault(InternalError error) {
        return new UncheckedIOException(store.recordFault(file, error));
    }

    @Override
    public String toString() {
        return "RegionBytes[" + what + ", " + capacity + " bytes" + (store.isReleased() ? ", closed" : "") + "]";
    }
}
