package org.ipc4j.shm.internal;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.NoSuchObjectException;
import org.ipc4j.api.ObjectExistsException;
import org.ipc4j.api.PermissionDeniedException;
import org.ipc4j.api.internal.FileModes;

/**
 * Where region files live and how file-system errors become ipc4j errors.
 *
 * <p>Linux: {@code /dev/shm/NAME}, the same file {@code shm_open("/NAME")} uses, so C programs can open
 * ipc4j regions. Elsewhere (or when {@code /dev/shm} is missing): {@code java.io.tmpdir/ipc4j-shm/NAME},
 * the directory created owner-only. The system property {@code ipc4j.shm.dir} overrides both.
 */
public final class RegionFiles {
    public static final String DIR_PROPERTY = "ipc4j.shm.dir";

    private RegionFiles() {
    }

    /** The directory region files are created in. */
    public static Path directory() throws IpcException {
        String configured = System.getProperty(DIR_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        Path devShm = Path.of("/dev/shm");
        if (Files.isDirectory(devShm) && Files.isWritable(devShm)) {
            return devShm;
        }
        Path fallback = Path.of(System.getProperty("java.io.tmpdir"), "ipc4j-shm");
        try {
            if (!Files.isDirectory(fallback)) {
                if (supportsPosix(fallback.getParent())) {
                    Files.createDirectories(fallback, FileModes.attribute(0700));
                } else {
                    Files.createDirectories(fallback);
                }
            }
        } catch (FileAlreadyExistsException e) {
            // another process created it first: fine
        } catch (IOException e) {
            throw translate(e, "create the shared-memory directory " + fallback);
        }
        return fallback;
    }

    static boolean supportsPosix(Path anyPath) {
        return anyPath != null && anyPath.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    /** Turns a file-system failure into the matching ipc4j error; {@code action} says what was attempted. */
    public static IpcException translate(IOException e, String action) {
        String detail = e instanceof FileSystemException fse && fse.getReason() != null ? fse.getReason()
                : e.getMessage();
        String message = "could not " + action + (detail == null ? "" : ": " + detail);
        IpcException result;
        if (e instanceof NoSuchFileException) {
            result = new NoSuchObjectException(message);
        } else if (e instanceof FileAlreadyExistsException) {
            result = new ObjectExistsException(message);
        } else if (e instanceof AccessDeniedException) {
            result = new PermissionDeniedException(message);
        } else {
            return new IpcException(message, e);
        }
        result.initCause(e);
        return result;
    }
}
