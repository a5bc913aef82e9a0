package org.ipc4j.bench.harness;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/** The two references on a mapped file: the cache-line ping-pong and Agrona's one-to-one ring. */
public final class MappedMechanism extends Mechanism {
    private final boolean cacheLine;

    private MappedMechanism(boolean cacheLine, String id, String title, String typicalUse) {
        super(id, title, "yes", cacheLine ? "spin" : "built in", "both", typicalUse);
        this.cacheLine = cacheLine;
    }

    /** Two cache lines, busy-spinning: the physical floor of a cross-core hand-off. */
    public static MappedMechanism cacheLine() {
        return new MappedMechanism(true, "cacheline", "cache-line ping-pong (floor)",
                "reference: the hardware floor of a hand-off between cores");
    }

    /** Agrona's OneToOneRingBuffer, one per direction, busy-spinning. */
    public static MappedMechanism agrona() {
        return new MappedMechanism(false, "agrona", "Agrona OneToOneRingBuffer (spin)",
                "reference: a mature lock-free ring on the same memory");
    }

    @Override
    public boolean reference() {
        return true;
    }

    @Override
    public boolean carriesData() {
        return !cacheLine;
    }

    @Override
    public String unavailableReason() {
        return null;
    }

    @Override
    public String sizeLimit(int size) {
        return !cacheLine && size > AgronaLink.CAPACITY / 8 ? "larger than capacity/8 of the Agrona ring" : null;
    }

    @Override
    public String throughputLimit() {
        return cacheLine ? "a single-slot hand-off: latency floor only" : null;
    }

    @Override
    public Setup setUp() throws IOException {
        Path file = MappedFiles.directory().resolve(MappedFiles.uniqueName(cacheLine ? "cl" : "ag"));
        MappedByteBuffer memory = MappedFiles.create(file, cacheLine ? CacheLineLink.FILE_SIZE : AgronaLink.FILE_SIZE);
        return new Setup() {
            @Override
            public String childAddress() {
                return file.toString();
            }

            @Override
            public Link openParent() {
                return cacheLine ? new CacheLineLink(memory, true) : new AgronaLink(memory, true);
            }

            @Override
            public void close() {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    System.err.println("could not delete " + file + ": " + e);
                }
            }
        };
    }

    @Override
    public Link openChild(String address) throws IOException {
        MappedByteBuffer memory = MappedFiles.open(Path.of(address));
        return cacheLine ? new CacheLineLink(memory, false) : new AgronaLink(memory, false);
    }
}
