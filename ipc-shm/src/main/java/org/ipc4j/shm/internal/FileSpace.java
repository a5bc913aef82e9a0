package org.ipc4j.shm.internal;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.LimitReachedException;
import org.ipc4j.api.internal.Errno;

/**
 * Reserves the blocks of a new region file up front with {@code posix_fallocate}.
 *
 * <p>Why: a file sized by writing its last byte is sparse. On tmpfs ({@code /dev/shm}) a page is then
 * allocated only when it is first touched, and when the file system is full that touch raises SIGBUS,
 * which the JVM turns into an {@link InternalError} at some later, unrelated access (or a crash inside a
 * native memory fill). Allocating at creation turns a full file system into an exception at open.
 *
 * <p>The native functions are bound on first use; where they are missing (not Linux) {@link #allocate}
 * reports {@code false} and the caller falls back to a sparse file.
 */
public final class FileSpace {
    private static final int O_RDWR = 2;
    private static final int O_CLOEXEC = 02000000;
    /** O_NOFOLLOW differs between architectures: 0100000 on AArch64, 0400000 on x86-64 and most others. */
    private static final int O_NOFOLLOW = Platform.isARM() ? 0100000 : 0400000;

    private static final boolean AVAILABLE = bind();

    private FileSpace() {
    }

    private static boolean bind() {
        if (!Platform.isLinux() || !Platform.is64Bit()) {
            return false;
        }
        try {
            Native.register(FileSpace.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
            return true;
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return false;
        }
    }

    private static native int open(String path, int flags);

    private static native int close(int fd);

    /** Returns an error number (not -1 and errno). off_t is 64 bits on the 64-bit platforms bound here. */
    private static native int posix_fallocate(int fd, long offset, long length);

    /**
     * Allocates {@code size} bytes of {@code file} (a file this process just created, not yet visible under
     * its public name), extending it to {@code size}.
     *
     * @param describedAs the region file the caller reports (the temporary file is an implementation detail)
     * @return false if block allocation is not available here (the caller must size the file itself)
     * @throws LimitReachedException if the file system has no room: names the directory, the size and the
     *         free space
     */
    public static boolean allocate(Path file, long size, Path describedAs) throws IpcException {
        if (!AVAILABLE) {
            return false;
        }
        int fd = open(file.toString(), O_RDWR | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) {
            int errno = Native.getLastError();
            throw Errno.exception("open", file.toString(), errno, "opening the new region file to allocate it");
        }
        try {
            int error;
            do {
                error = posix_fallocate(fd, 0, size);
            } while (error == Errno.EINTR);
            if (error == 0) {
                return true;
            }
            if (error == Errno.ENOTSUP || error == Errno.ENOSYS) {
                return false; // a file system without allocation: sparse, as before
            }
            if (error == Errno.ENOSPC) {
                throw noSpace(file.getParent(), size, describedAs);
            }
            throw Errno.exception("posix_fallocate", describedAs + ", " + size + " bytes", error,
                    "reserving the memory of a new region");
        } finally {
            close(fd);
        }
    }

    private static LimitReachedException noSpace(Path dir, long size, Path describedAs) {
        String free;
        try {
            free = Files.getFileStore(dir).getUsableSpace() + " bytes";
        } catch (IOException e) {
            free = "unknown (" + e.getMessage() + ")";
        }
        return new LimitReachedException("shared memory " + describedAs + ": no room for " + size + " bytes in "
                + dir + " (free: " + free + "); remove unused regions or enlarge the file system, e.g. "
                + "mount -o remount,size=... " + dir + " (Docker: --shm-size)", "file system space", size);
    }
}
