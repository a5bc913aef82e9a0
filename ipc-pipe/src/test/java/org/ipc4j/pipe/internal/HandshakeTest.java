package org.ipc4j.pipe.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.ipc4j.api.MalformedFrameException;
import org.junit.jupiter.api.Test;

/** The scan for the marker a Java child writes before its frames, fed in pieces and from a stream. */
class HandshakeTest {
    private static final byte[] STREAM = ("JVM says hi\n\u0000ipc4j-pi\npartial marker\n").getBytes(StandardCharsets.ISO_8859_1);

    private static byte[] withMarkerAndFrame() {
        ByteBuffer b = ByteBuffer.allocate(STREAM.length + Handshake.MARKER.length + 5);
        return b.put(STREAM).put(Handshake.marker()).putInt(1).put((byte) 'x').array();
    }

    @Test
    void strayLinesAreHandedOverAndTheFirstFrameIsLeftIntactWhateverThePieces() throws Exception {
        byte[] all = withMarkerAndFrame();
        for (int piece = 1; piece <= all.length; piece++) {
            List<String> lines = new ArrayList<>();
            Handshake h = new Handshake(lines::add);
            ByteBuffer in = ByteBuffer.wrap(all);
            boolean found = false;
            while (!found) {
                ByteBuffer slice = in.slice(in.position(), Math.min(piece, in.remaining()));
                found = h.skip(slice);
                in.position(in.position() + slice.position());
            }
            assertThat(lines).as("pieces of %d bytes", piece).containsExactly("JVM says hi", "\u0000ipc4j-pi", "partial marker");
            assertThat(in.remaining()).as("the frame after the marker").isEqualTo(5);
            assertThat(in.getInt()).isEqualTo(1);
        }
    }

    @Test
    void aStreamIsReadUpToTheMarkerAndNoFurther() throws Exception {
        List<String> lines = new ArrayList<>();
        ByteArrayInputStream in = new ByteArrayInputStream(withMarkerAndFrame());
        new Handshake(lines::add).skip(in);
        assertThat(lines).hasSize(3);
        assertThat(in.available()).isEqualTo(5);
    }

    @Test
    void aStreamThatEndsFirstOrNeverSendsTheMarkerIsRefused() {
        List<String> lines = new ArrayList<>();
        assertThatThrownBy(() -> new Handshake(lines::add).skip(new ByteArrayInputStream("bye".getBytes())))
                .isInstanceOf(EOFException.class).hasMessage(Handshake.NEVER_OPENED);
        assertThat(lines).containsExactly("bye");
        byte[] noise = new byte[Handshake.MAX_STRAY_BYTES + 2];
        java.util.Arrays.fill(noise, (byte) 'x');
        assertThatThrownBy(() -> new Handshake(l -> { }).skip(ByteBuffer.wrap(noise)))
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("does not speak the ipc4j pipe protocol");
    }
}
