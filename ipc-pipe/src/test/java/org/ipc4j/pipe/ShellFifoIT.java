package org.ipc4j.pipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.PeerGoneException;
import org.ipc4j.api.Receiver;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** FIFOs with foreign peers: the shell's echo and cat, and several python3 writers sharing one FIFO. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShellFifoIT {
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    private Path fifo(String prefix) throws Exception {
        Path fifo = names.uniquePath(prefix, ".fifo");
        NamedPipe.create(fifo);
        return fifo;
    }

    /** Also the raw example of docs/pipes.md, "Named pipes (FIFOs)". */
    @Test
    void readsWhatTheShellEchoesIntoTheFifo() throws Exception {
        Path fifo = fifo("echo");
        try (ChildProcess sh = names.closeAfter(ChildProcess.start("sh", "-c", "echo 'hello from sh' > \"$0\"",
                fifo.toString()))) {
            try (InputStream in = NamedPipe.openForReading(fifo, PATIENCE)) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("hello from sh\n");
            }
            assertThat(sh.join(PATIENCE)).isTrue();
            assertThat(sh.exitCode()).hasValue(0);
        }
    }

    @Test
    void catReadsWhatWeWriteIntoTheFifo() throws Exception {
        Path fifo = fifo("cat");
        try (ChildProcess cat = names.closeAfter(ChildProcess.start("cat", fifo.toString()))) {
            try (OutputStream out = NamedPipe.openForWriting(fifo, PATIENCE)) {
                out.write("line one\nline two\n".getBytes(StandardCharsets.UTF_8));
            }
            assertThat(new String(cat.stdout().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("line one\nline two\n");
            assertThat(cat.join(PATIENCE)).isTrue();
            assertThat(cat.exitCode()).hasValue(0);
        }
    }

    @Test
    void aWriterThatLeavesEndsTheStreamForTheReader() throws Exception {
        Path fifo = fifo("gone");
        try (ChildProcess sh = names.closeAfter(ChildProcess.start("sh", "-c", "printf abc > \"$0\"", fifo.toString()));
                Receiver in = NamedPipe.openReceiver(fifo, PATIENCE)) {
            // "abc" is not a whole frame: the writer left in the middle of a length prefix
            assertThatThrownBy(() -> in.receive(PATIENCE)).isInstanceOf(PeerGoneException.class)
                    .hasMessageContaining("in the middle of a frame (3 of the 4 length-prefix bytes arrived)");
            assertThat(sh.join(PATIENCE)).isTrue();
        }
    }

    static final String WRITER = String.join("\n",
            "import os, struct, sys",
            "fd = os.open(sys.argv[1], os.O_WRONLY)",
            "wid = int(sys.argv[2])",
            "for seq in range(300):",
            "    size = 8 + (seq * 37 + wid * 11) % (4092 - 8)",
            "    body = struct.pack('>II', wid, seq) + bytes([(wid + seq) % 256]) * (size - 8)",
            "    n = os.write(fd, struct.pack('>I', len(body)) + body)",
            "    assert n == len(body) + 4",
            "os.close(fd)",
            "");

    /**
     * Four python3 processes write 300 frames each into one FIFO at the same time. Every frame is at most
     * PIPE_BUF bytes and goes out in one write(2), so none may be torn or interleaved: the reader must see
     * each writer's frames whole and in that writer's order.
     */
    @Test
    void severalWritersShareOneFifoWithAtomicFrames() throws Exception {
        Path fifo = fifo("multi");
        Path script = names.uniquePath("writer", ".py");
        Files.writeString(script, WRITER);
        int writers = 4;
        List<ChildProcess> children = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            children.add(names.closeAfter(ChildProcess.start("python3", script.toString(), fifo.toString(),
                    Integer.toString(w))));
        }
        int[] next = new int[writers];
        try (Receiver in = NamedPipe.openReceiver(fifo, PATIENCE, NamedPipe.ATOMIC_PAYLOAD);
                // a writer of our own keeps the stream from ending between one python writer and the next
                OutputStream keepOpen = NamedPipe.openForWriting(fifo, PATIENCE)) {
            ByteBuffer buffer = ByteBuffer.allocate(NamedPipe.ATOMIC_PAYLOAD);
            for (int i = 0; i < writers * 300; i++) {
                buffer.clear();
                int length = in.receive(buffer, PATIENCE);
                int wid = buffer.getInt(0);
                int seq = buffer.getInt(4);
                assertThat(wid).as("writer id of frame %d", i).isBetween(0, writers - 1);
                assertThat(seq).as("sequence of writer %d", wid).isEqualTo(next[wid]);
                assertThat(length).isEqualTo(8 + (seq * 37 + wid * 11) % (4092 - 8));
                for (int k = 8; k < length; k++) {
                    if (buffer.get(k) != (byte) ((wid + seq) % 256)) {
                        throw new AssertionError("frame " + seq + " of writer " + wid + " is torn at byte " + k);
                    }
                }
                next[wid]++;
            }
        }
        for (ChildProcess c : children) {
            assertThat(c.join(PATIENCE)).isTrue();
            assertThat(c.exitCode()).hasValue(0);
        }
    }
}
