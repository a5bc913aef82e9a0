package org.ipc4j.shm.internal;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import org.ipc4j.api.CorruptedStateException;
import org.ipc4j.api.UnsupportedPlatformException;
import org.ipc4j.api.internal.posix.NativeSupport;
import org.ipc4j.api.internal.posix.Scratch;

/**
 * A file mapping, its address and its {@link MappedMemory}, kept reachable together.
 *
 * <p>Why: the JDK unmaps a {@link MappedByteBuffer} only when the buffer becomes unreachable. Everything that
 * accesses the mapping by address holds this object (or its {@link MappedMemory}, which holds the buffer), so
 * the pages stay mapped while anyone can still reach them: a racing close can never make an access fault.
 * {@link #release()} marks the store closed for the checked views over it; the memory stays mapped until it
 * is unreachable. The optional Chronicle view is made only on request ({@link #chronicle()}).
 *
 * <p>Once an access faulted because another process truncated the file ({@link #recordFault}), the store is
 * {@link #FAULTED}: the views and the ring ends check that first and throw without touching the memory
 * again, so no further fault is raised (the JDK reports one in compiled code only at a later safepoint
 * check, which may lie outside ipc4j's calls).
 */
public final class MappedStore {
    /** {@link #state} bit: closed by its owner. */
    public static final int RELEASED = 1;
    /** {@link #state} bit: an access faulted, the file is shorter than the mapping. */
    public static final int FAULTED = 2;

    private final MappedByteBuffer mapping;
    private final long address;
    private final long size;
    private final MappedMemory memory;
    /** {@link #RELEASED} and {@link #FAULTED} bits: 0 while usable (one volatile read checks both). */
    private volatile int state;
    /** The first fault seen (the file was truncated), once {@link #FAULTED}. */
    private volatile CorruptedStateException fault;
    /** The Chronicle view once asked for (typed Object so this class never loads Chronicle). */
    private Object chronicle;

    public MappedStore(MappedByteBuffer mapping, long address, long size) {
        this.mapping = mapping;
        this.address = address;
        this.size = size;
        this.memory = new MappedMemory(mapping, address);
    }

    /**
     * Maps the first {@code size} bytes of {@code channel} for reading and writing. The address of the JDK's
     * mapping comes from JNA (the JDK has no public way to it before Java 22), through ipc-api's native layer:
     * any operating system JNA runs on, C library bindings or not.
     *
     * @throws UnsupportedPlatformException if JNA cannot be used here (not on the path, or its native library
     *         does not load), with the reason
     * @throws IOException if the mapping fails
     */
    public static MappedStore map(FileChannel channel, long size) throws IOException {
        NativeSupport.requireJna("shared memory regions");
        MappedByteBuffer mapping = channel.map(FileChannel.MapMode.READ_WRITE, 0, size);
        return new MappedStore(mapping, Scratch.directAddress(mapping), size);
    }

    /** The JDK mapping behind this store. */
    public MappedByteBuffer mapping() {
        return mapping;
    }

    /** The address of the first byte. */
    public long address() {
        return address;
    }

    /** Bytes mapped. */
    public long capacity() {
        return size;
    }

    /** Access by address to the whole mapping (unchecked for release: the ring checks its own flag). */
    public MappedMemory memory() {
        return memory;
    }

    /** Marks the store closed: the checked views throw from now on. Idempotent. */
    public void release() {
        synchronized (this) {
            state |= RELEASED;
        }
        Object view;
        synchronized (this) {
            view = chronicle;
        }
        if (view != null) {
            ChronicleView.release(view);
        }
    }

    public boolean isReleased() {
        return (state & RELEASED) != 0;
    }

    /** 0 while usable, else the {@link #RELEASED} and {@link #FAULTED} bits. */
    public int state() {
        return state;
    }

    /**
     * Records the fault {@code error} (see {@link #faultOf}) and returns the exception for it; rethrows
     * {@code error} if the file is not shorter than the mapping.
     */
    public CorruptedStateException recordFault(Path file, InternalError error) {
        CorruptedStateException e = faultOf(file, size, error);
        synchronized (this) {
            if (fault == null) {
                fault = e;
            }
            state |= FAULTED;
        }
        return e;
    }

    /** A new exception for the recorded fault, for a call after it; {@code null} if none was recorded. */
    public CorruptedStateException faulted() {
        CorruptedStateException first = fault;
        return first == null ? null : new CorruptedStateException(first.getMessage());
    }

    /**
     * The Chronicle view of the whole mapping, made at the first call (this loads Chronicle Bytes).
     *
     * @throws IllegalStateException if released
     */
    public synchronized Object chronicle() {
        if (isReleased()) {
            throw new IllegalStateException("the region is closed");
        }
        if (chronicle == null) {
            chronicle = ChronicleView.create(this);
        }
        return chronicle;
    }

    /**
     * What a fault on access to the mapping means: the JDK turns the {@code SIGBUS} of an access beyond the end
     * of a file that another process truncated while mapped into {@link InternalError}. Returns the error
     * the user gets for it, naming the file, the size it has now and the size mapped; rethrows {@code error}
     * if it is not such a fault (the file is still as large as the mapping).
     *
     * @param file the file mapped (its size is read now)
     * @param mapped bytes mapped
     */
    public static CorruptedStateException faultOf(Path file, long mapped, InternalError error) {
        long now;
        try {
            now = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).size();
        } catch (java.io.IOException | RuntimeException e) {
            now = -1;
        }
        if (now >= mapped) {
            throw error;
        }
        CorruptedStateException e = new CorruptedStateException("shared memory " + file + ": field size: the file "
                + (now < 0 ? "is gone or unreadable" : "has " + now + " bytes") + " but " + mapped
                + " bytes are mapped: another process truncated it while mapped, an access beyond its end faulted");
        e.initCause(error);
        return e;
    }
}
