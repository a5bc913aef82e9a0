package org.ipc4j.bench.harness;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Memory-mapped files for the reference mechanisms: the same kind of memory the shared-memory ring uses
 * (a file in /dev/shm on Linux, tmpfs so no disk traffic), created owner-only (0600) at creation.
 */
public final class MappedFiles {
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private MappedFiles() {
    }

    /** The directory for mapped files: /dev/shm when it exists and is writable, else the temp dir. */
    public static Path directory() {
        Path shm = Path.of("/dev/shm");
        if (Files.isDirectory(shm) && Files.isWritable(shm)) {
            return shm;
        }
        return Path.of(System.getProperty("java.io.tmpdir"));
    }

    /** A fresh name: ipc4j-bench-PID-N-tag (tag kept short). */
    public static String uniqueName(String tag) {
        return "ipc4jb" + ProcessHandle.current().pid() + "x" + COUNTER.incrementAndGet() + tag;
    }

    /** Creates (exclusively, 0600) a file of {@code size} bytes and maps it read-write. */
    public static MappedByteBuffer create(Path file, long size) throws IOException {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (FileChannel ch = FileChannel.open(file, EnumSet.of(StandardOpenOption.READ, StandardOpenOption.WRITE))) {
            ch.truncate(size);
            return ch.map(FileChannel.MapMode.READ_WRITE, 0, size);
        }
    }

    /** Maps an existing file read-write; the file must already have its size. */
    public static MappedByteBuffer open(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return ch.map(FileChannel.MapMode.READ_WRITE, 0, ch.size());
        }
    }
}
