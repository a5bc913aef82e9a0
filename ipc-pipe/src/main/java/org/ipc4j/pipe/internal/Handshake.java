package org.ipc4j.pipe.internal;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * The marker a Java child writes to its standard output when it opens its parent channel, before any
 * frame. The parent skips everything before it (JVM start-up messages such as {@code -Xlog} output, early
 * {@code System.out} prints), handing those bytes to a logger line by line, so they can never be taken for
 * a length prefix. The marker starts with a zero byte that does not occur again in it, so a plain scan
 * that restarts on a mismatch finds it.
 */
public final class Handshake {
    /** {@code \0ipc4j-pipe/1\n}. */
    static final byte[] MARKER = "\u0000ipc4j-pipe/1\n".getBytes(StandardCharsets.ISO_8859_1);
    /** Stray output tolerated before the marker; beyond it the child is assumed not to speak the protocol. */
    static final int MAX_STRAY_BYTES = 1 << 20;

    private Handshake() {
    }

    public static byte[] marker() {
        return MARKER.clone();
    }

    /**
     * Reads up to and including the marker.
     *
     * @param stray receives each line of output found before the marker
     * @throws EOFException if the stream ends first
     * @throws IOException if more than 1 MiB arrives without a marker
     */
    public static void skipToMarker(InputStream in, Consumer<String> stray) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int matched = 0;
        long skipped = 0;
        while (matched < MARKER.length) {
            int b = in.read();
            if (b < 0) {
                flush(line, stray);
                throw new EOFException("the child's standard output ended before its ParentChannel was opened");
            }
            if (b == (MARKER[matched] & 0xff)) {
                matched++;
                continue;
            }
            // a partial match was ordinary output after all
            for (int i = 0; i < matched; i++) {
                take(line, MARKER[i], stray);
            }
            matched = b == MARKER[0] ? 1 : 0;
            if (matched == 0) {
                take(line, (byte) b, stray);
            }
            if (++skipped > MAX_STRAY_BYTES) {
                throw new IOException("the child wrote more than " + MAX_STRAY_BYTES + " bytes to standard output"
                        + " without opening its ParentChannel; it does not speak the ipc4j pipe protocol");
            }
        }
        flush(line, stray);
    }

    private static void take(ByteArrayOutputStream line, byte b, Consumer<String> stray) {
        if (b == '\n') {
            flush(line, stray);
        } else {
            line.write(b);
            if (line.size() >= 4096) {
                flush(line, stray);
            }
        }
    }

    private static void flush(ByteArrayOutputStream line, Consumer<String> stray) {
        if (line.size() > 0) {
            stray.accept(line.toString(StandardCharsets.UTF_8));
            line.reset();
        }
    }
}
