package org.ipc4j.shm.internal;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.nio.MappedByteBuffer;
import net.openhft.chronicle.core.UnsafeMemory;

/**
 * Maps the pages of a region into this process before they are used ("pre-faulting").
 *
 * <p>Why: every 4 KiB page of a fresh mapping costs a page fault at its first touch, even when the file's
 * memory is already allocated: some microseconds each, tens of microseconds on a virtual machine. A ring
 * that streams through fresh pages pays that on roughly one message in a hundred, which is the whole of
 * its 99th-percentile latency until it has wrapped once. Faulting every page in at open moves that cost to
 * the open, once.
 *
 * <p>Linux 5.14 and later do it in one call, {@code madvise(MADV_POPULATE_WRITE)}, which maps the pages
 * writable without changing a byte. Elsewhere (or if the call is refused) the first word of each page gets
 * an atomic add of 0: a write fault that changes nothing, safe while other processes write the same word.
 * Reading each page is not enough: measured on a ring in {@code /dev/shm}, the first write to each page
 * still cost microseconds after a read had mapped it.
 */
public final class Residency {
    private static final int MADV_POPULATE_WRITE = 23;
    private static final int PAGE = 4096;
    private static final boolean AVAILABLE = bind();

    private Residency() {
    }

    private static boolean bind() {
        if (!Platform.isLinux() || !Platform.is64Bit()) {
            return false;
        }
        try {
            Native.register(Residency.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
            return true;
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return false;
        }
    }

    private static native int madvise(Pointer address, long length, int advice);

    /**
     * Faults in the {@code length} bytes mapped at {@code address} (page aligned); returns how: {@code true}
     * if the kernel populated the range in one call, {@code false} if pages were touched one by one.
     *
     * @param mapping the mapping that owns the range: kept reachable while its pages are touched
     */
    public static boolean populate(MappedByteBuffer mapping, long address, long length) {
        if (AVAILABLE && (address & (PAGE - 1)) == 0 && madvise(new Pointer(address), length, MADV_POPULATE_WRITE) == 0) {
            return true;
        }
        // Older kernels answer EINVAL for the advice.
        touchEachPage(mapping, address, length);
        return false;
    }

    /** The portable way: faults each page in for writing by an atomic add of 0 to its first word. */
    public static void touchEachPage(MappedByteBuffer mapping, long address, long length) {
        for (long at = 0; at + 8 <= length; at += PAGE) {
            UnsafeMemory.UNSAFE.getAndAddLong(null, address + at, 0L);
        }
        java.lang.ref.Reference.reachabilityFence(mapping);
    }
}
