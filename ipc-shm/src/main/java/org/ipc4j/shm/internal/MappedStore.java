package org.ipc4j.shm.internal;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import net.openhft.chronicle.bytes.PointerBytesStore;
import org.ipc4j.api.UnsupportedPlatformException;
import org.ipc4j.api.internal.posix.NativeSupport;
import org.ipc4j.api.internal.posix.Scratch;

/**
 * A Chronicle store over a file mapping that keeps the mapping reachable for as long as the store itself is
 * reachable.
 *
 * <p>Why: the JDK unmaps a {@link MappedByteBuffer} only when the buffer becomes unreachable. A plain
 * {@code BytesStore.wrap(address, size)} holds the raw address only, so a store that outlived its buffer
 * would read unmapped memory and crash the JVM. Holding the buffer here makes that impossible: the pages
 * stay mapped while anyone can still reach the store. Closing the owner releases the store, after which
 * Chronicle throws on every access (its memory accessor is cleared; the address stays valid, so even a
 * racing access reads mapped memory instead of crashing).
 */
public final class MappedStore extends PointerBytesStore {
    private final MappedByteBuffer mapping;

    public MappedStore(MappedByteBuffer mapping, long address, long size) {
        this.mapping = mapping;
        set(address, size);
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
}
