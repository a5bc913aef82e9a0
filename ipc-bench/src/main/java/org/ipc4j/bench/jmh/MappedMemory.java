package org.ipc4j.bench.jmh;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.ipc4j.bench.harness.MappedFiles;

/**
 * A mapped file for one benchmark trial: the same kind of memory the shared-memory ring lives in (a file in
 * /dev/shm), so Agrona's baseline and ipc4j's ring are measured on equal terms.
 */
final class MappedMemory implements AutoCloseable {
    private final Path file;
    private final MappedByteBuffer buffer;

    MappedMemory(String tag, long size) throws IOException {
        this.file = MappedFiles.directory().resolve(MappedFiles.uniqueName(tag));
        this.buffer = MappedFiles.create(file, size);
    }

    MappedByteBuffer buffer() {
        return buffer;
    }

    Path file() {
        return file;
    }

    @Override
    public void close() throws IOException {
        Files.deleteIfExists(file);
    }
}
