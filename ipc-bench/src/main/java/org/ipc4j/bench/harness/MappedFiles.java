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
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Memory-mapped files for the reference mechanisms: the same kind of memory the shared-memory ring uses
 * (a file in /dev/shm on Linux, tmpfs so no disk traffic), created owner-only (0600) at creation, and
 * with every page faulted in for writing when mapped, as ipc4j's rings are at open.
 * Without that, the first pass through a ring takes a page fault every 4 KiB, which costs more than
 * everything else in a round trip and would make the comparison one of page-fault luck rather than of
 * ring algorithms.
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
            return prefault(ch.map(FileChannel.MapMode.READ_WRITE, 0, size));
        }
    }

    /** Maps an existing file read-write; the file must already have its size. */
    public static MappedByteBuffer open(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return prefault(ch.map(FileChannel.MapMode.READ_WRITE, 0, ch.size()));
        }
    }

    /**
     * Faults every page in for writing without changing a byte: an atomic add of 0 to the first word of each
     * page (safe while the other process writes). A read per page ({@link MappedByteBuffer#load()}) is not
     * enough: measured with Agrona's ring (32 B, 100 000 round trips), p99 was 26 us with no pre-faulting, 7 us
     * after a read per page, 1.0-1.1 us after the add, 1.4 us after {@code madvise(MADV_POPULATE_WRITE)}.
     */
    static MappedByteBuffer prefault(MappedByteBuffer mapping) {
        UnsafeBuffer view = new UnsafeBuffer(mapping);
        for (int at = 0; at + 8 <= view.capacity(); at += PAGE) {
            view.getAndAddLong(at, 0);
        }
        return mapping;
    }

    private static final int PAGE = 4096;
}
