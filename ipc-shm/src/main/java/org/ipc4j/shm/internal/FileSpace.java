package org.ipc4j.shm.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.LimitReachedException;
import org.ipc4j.api.internal.Errno;
import org.ipc4j.api.internal.posix.ErrnoHints;
import org.ipc4j.api.internal.posix.Libc;
import org.ipc4j.api.internal.posix.Limit;
import org.ipc4j.api.internal.posix.LinuxCalls;
import org.ipc4j.api.internal.posix.NativeErrors;
import org.ipc4j.api.internal.posix.NativeSupport;
import org.ipc4j.api.internal.posix.OsConstants;

/**
 * Reserves the blocks of a new region file up front with {@code posix_fallocate}.
 *
 * <p>Why: a file sized by writing its last byte is sparse. On tmpfs ({@code /dev/shm}) a page is then
 * allocated only when it is first touched, and when the file system is full that touch raises SIGBUS,
 * which the JVM turns into an {@link InternalError} at some later, unrelated access (or a crash inside a
 * native memory fill). Allocating at creation turns a full file system into an exception at open.
 *
 * <p>The calls are ipc-api's shared bindings ({@link LinuxCalls}, {@link Libc}). Where they cannot be made
 * (not Linux, no JNA) {@link #allocate} reports {@code false} and the caller falls back to a sparse file.
 */
public final class FileSpace {
    private FileSpace() {
    }

    /**
     * Allocates {@code size} bytes of {@code file} (a file this process just created, not yet visible under
     * its public name), extending it to {@code size}.
     *
     * @param describedAs the region file the caller reports (the temporary file is an implementation detail)
     * @return false if block allocation is not available here (the caller must size the file itself)
     * @throws LimitReachedException if the file system has no room: names the directory, its size, the free
     *         space, the size asked for and how to make room
     * @throws IpcException if the file cannot be opened or the allocation fails otherwise (function and errno)
     */
    public static boolean allocate(Path file, long size, Path describedAs) throws IpcException {
        if (!NativeSupport.isAvailable(NativeSupport.Binding.LINUX)
                || !NativeSupport.isAvailable(NativeSupport.Binding.LIBC)) {
            return false;
        }
        int fd = Libc.open(file.toString(), OsConstants.O_RDWR | OsConstants.O_CLOEXEC | OsConstants.O_NOFOLLOW);
        if (fd < 0) {
            int errno = Libc.errno();
            throw NativeErrors.exception("open", file.toString(), errno);
        }
        try {
            int error;
            do {
                error = LinuxCalls.posix_fallocate(fd, 0, size); // the error number is the result, errno is not set
            } while (error == Errno.EINTR);
            if (error == 0) {
                return true;
            }
            if (error == Errno.ENOTSUP || error == Errno.ENOSYS) {
                return false; // a file system without allocation: sparse, as before
            }
            throw errors(file.getParent(), size, describedAs)
                    .exception("posix_fallocate", describedAs + ", " + size + " bytes", error);
        } finally {
            Libc.close(fd);
        }
    }

    /**
     * What a failed allocation means: ENOSPC is the file system's free space, reported with the size of the
     * whole file system (tmpfs is sized at mount, Docker's /dev/shm is 64 MiB) and how to enlarge it.
     */
    static ErrnoHints errors(Path dir, long size, Path describedAs) {
        return ErrnoHints.none().limit(Errno.ENOSPC, Limit.freeSpace(dir, "remove unused regions, or enlarge the"
                + " file system (as root: mount -o remount,size=N " + dir + "; Docker: --shm-size)"),
                "shared memory " + describedAs + ": no room for " + size + " bytes; " + dir + " holds "
                        + totalSpace(dir) + " in all");
    }

    private static String totalSpace(Path dir) {
        try {
            return Files.getFileStore(dir).getTotalSpace() + " bytes";
        } catch (IOException | RuntimeException e) {
            return "an unknown number of bytes (" + e.getMessage() + ")";
        }
    }
}
