package org.ipc4j.pipe.internal;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Consumer;
import org.ipc4j.api.MalformedFrameException;

/**
 * The marker a Java child writes to its standard output when it opens its parent channel, before any
 * frame, and the parent's scan for it. The parent skips everything before the marker (JVM start-up
 * messages such as {@code -Xlog} output, early {@code System.out} prints), handing those bytes to a logger
 * line by line, so they can never be taken for a length prefix. The marker starts with a zero byte that
 * does not occur again in it, so a plain scan that restarts on a mismatch finds it.
 *
 * <p>One scan per stream, fed incrementally ({@link #skip(ByteBuffer)}) by a receiving end that reads the
 * pipe in chunks, or byte by byte from a blocking stream ({@link #skip(InputStream)}). Not thread-safe.
 */
public final class Handshake {
    /** {@code \0ipc4j-pipe/1\n}. */
    static final byte[] MARKER = "\u0000ipc4j-pipe/1\n".getBytes(StandardCharsets.ISO_8859_1);
    /** Stray output tolerated before the marker; beyond it the child is assumed not to speak the protocol. */
    static final int MAX_STRAY_BYTES = 1 << 20;
    /** Why a stream that ends before the marker ended. */
    public static final String NEVER_OPENED = "the child's standard output ended before its ParentChannel was opened";

    private final Consumer<String> stray;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private int matched;
    private long skipped;

    /** @param stray receives each line of output found before the marker */
    public Handshake(Consumer<String> stray) {
        this.stray = Objects.requireNonNull(stray, "stray");
    }

    public static byte[] marker() {
        return MARKER.clone();
    }

    /**
     * Consumes bytes of {@code in} up to and including the marker.
     *
     * @return true once the marker has been consumed (the next byte of {@code in} is the first of the frames),
     *     false if {@code in} ran out first
     * @throws MalformedFrameException if more than 1 MiB arrives without a marker
     */
    public boolean skip(ByteBuffer in) throws MalformedFrameException {
        while (matched < MARKER.length && in.hasRemaining()) {
            byte b = in.get();
            if (b == MARKER[matched]) {
                matched++;
                continue;
            }
            // a partial match was ordinary output after all
            for (int i = 0; i < matched; i++) {
                take(MARKER[i]);
            }
            matched = b == MARKER[0] ? 1 : 0;
            if (matched == 0) {
                take(b);
            }
            if (++skipped > MAX_STRAY_BYTES) {
                throw new MalformedFrameException("the child wrote more than " + MAX_STRAY_BYTES + " bytes to standard"
                        + " output without opening its ParentChannel; it does not speak the ipc4j pipe protocol");
            }
        }
        if (matched < MARKER.length) {
            return false;
        }
        ended();
        return true;
    }

    /**
     * Reads a blocking stream up to and including the marker, one byte at a time so that nothing after it is
     * taken from the stream.
     *
     * @throws EOFException if the stream ends first ({@link #NEVER_OPENED})
     * @throws MalformedFrameException if more than 1 MiB arrives without a marker
     */
    public void skip(InputStream in) throws IOException {
        ByteBuffer one = ByteBuffer.allocate(1);
        while (true) {
            int b = in.read();
            if (b < 0) {
                ended();
                throw new EOFException(NEVER_OPENED);
            }
            one.clear();
            one.put((byte) b).flip();
            if (skip(one)) {
                return;
            }
        }
    }

    /** Hands over the unfinished line of stray output: the stream has ended, or the marker came. */
    public void ended() {
        if (line.size() > 0) {
            stray.accept(line.toString(StandardCharsets.UTF_8));
            line.reset();
        }
    }

    private void take(byte b) {
        if (b == '\n') {
            ended();
        } else {
            line.write(b);
            if (line.size() >= 4096) {
                ended();
            }
        }
    }
}
