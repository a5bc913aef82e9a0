package org.ipc4j.shm.internal;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
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
 */
public final class MappedStore {
    private final MappedByteBuffer mapping;
    private final long address;
    private final long size;
    private final MappedMemory memory;
    private volatile boolean released;
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
        released = true;
        Object view;
        synchronized (this) {
            view = chronicle;
        }
        if (view != null) {
            ChronicleView.release(view);
        }
    }

    public boolean isReleased() {
        return released;
    }

    /**
     * The Chronicle view of the whole mapping, made at the first call (this loads Chronicle Bytes).
     *
     * @throws IllegalStateException if released
     */
    public synchronized Object chronicle() {
        if (released) {
            throw new IllegalStateException("the region is closed");
        }
        if (chronicle == null) {
            chronicle = ChronicleView.create(this);
        }
        return chronicle;
    }
}
