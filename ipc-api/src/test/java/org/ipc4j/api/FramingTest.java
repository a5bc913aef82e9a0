package org.ipc4j.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.ipc4j.api.framing.FrameDecoder;
import org.ipc4j.api.framing.FrameReader;
import org.ipc4j.api.framing.FrameWriter;
import org.junit.jupiter.api.Test;

class FramingTest {

    private static byte[] frames(String... messages) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FrameWriter writer = new FrameWriter(out, 1024, "test", 512);
        for (String m : messages) {
            writer.write(ByteBuffer.wrap(m.getBytes(StandardCharsets.UTF_8)));
        }
        return out.toByteArray();
    }

    @Test
    void wireFormatIsABigEndianLengthThenThePayload() throws Exception {
        assertThat(frames("hi")).containsExactly(0, 0, 0, 2, 'h', 'i');
        assertThat(frames("")).containsExactly(0, 0, 0, 0);
    }

    @Test
    void readerReturnsFramesThenNullAtACleanEnd() throws Exception {
        FrameReader reader = new FrameReader(new ByteArrayInputStream(frames("a", "", "bcd")), 1024, "test");
        assertThat(reader.readFrame()).containsExactly('a');
        assertThat(reader.readFrame()).isEmpty();
        assertThat(reader.readFrame()).containsExactly('b', 'c', 'd');
        assertThat(reader.readFrame()).isNull();
    }

    @Test
    void readerKeepsAFrameThatDoesNotFit() throws Exception {
        FrameReader reader = new FrameReader(new ByteArrayInputStream(frames("hello", "x")), 1024, "test");
        ByteBuffer small = ByteBuffer.allocate(3);
        assertThatThrownBy(() -> reader.read(small)).isInstanceOf(BufferTooSmallException.class);
        assertThat(reader.hasPending()).isTrue();
        ByteBuffer big = ByteBuffer.allocate(16);
        assertThat(reader.read(big)).isEqualTo(5);
        assertThat(reader.read(big)).isEqualTo(1);
        assertThat(new String(big.array(), 0, 6, StandardCharsets.UTF_8)).isEqualTo("hellox");
    }

    @Test
    void oversizedOrNegativeLengthIsMalformedWithoutAllocating() {
        byte[] huge = {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2, 3};
        assertThatThrownBy(() -> new FrameReader(new ByteArrayInputStream(huge), 1024, "pipe from child").readFrame())
                .isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("pipe from child").hasMessageContaining("2147483647").hasMessageContaining("1024");
        byte[] negative = {(byte) 0x80, 0, 0, 1};
        assertThatThrownBy(() -> new FrameReader(new ByteArrayInputStream(negative), 1024, "s").readFrame())
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("top bit");
        byte[] escape = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0, 0, 0, 1, 0, 0, 0, 0};
        assertThatThrownBy(() -> new FrameReader(new ByteArrayInputStream(escape), 1024, "s").readFrame())
                .as("multiprocessing's prefix for a frame over 2 GiB").isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("large-frame escape").hasMessageContaining("1024");
    }

    @Test
    void streamEndingInsideAFrameIsMalformed() throws Exception {
        byte[] whole = frames("truncated");
        InputStream cut = new ByteArrayInputStream(whole, 0, whole.length - 2);
        assertThatThrownBy(() -> new FrameReader(cut, 1024, "s").readFrame())
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("7 of 9");
        InputStream inHeader = new ByteArrayInputStream(new byte[] {0, 0});
        assertThatThrownBy(() -> new FrameReader(inHeader, 1024, "s").readFrame())
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("length prefix");
    }

    @Test
    void writerRejectsOversizedMessagesAndWritesNothing() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FrameWriter writer = new FrameWriter(out, 4, "w", 64);
        ByteBuffer five = ByteBuffer.wrap(new byte[5]);
        assertThatThrownBy(() -> writer.write(five)).isInstanceOf(MessageTooLargeException.class);
        assertThat(out.size()).isZero();
        assertThat(five.position()).isZero();
    }

    @Test
    void writerSplitsLargeFramesAcrossWrites() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] payload = new byte[1000];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) i;
        }
        new FrameWriter(out, 4096, "w", 64).write(ByteBuffer.wrap(payload));
        FrameReader reader = new FrameReader(new ByteArrayInputStream(out.toByteArray()), 4096, "r");
        assertThat(reader.readFrame()).isEqualTo(payload);
    }

    @Test
    void decoderHandlesBytesArrivingOneAtATime() throws Exception {
        byte[] stream = frames("one", "", "three");
        FrameDecoder decoder = new FrameDecoder(1024, "d");
        StringBuilder seen = new StringBuilder();
        for (byte b : stream) {
            ByteBuffer frame = decoder.next(ByteBuffer.wrap(new byte[] {b}));
            if (frame != null) {
                seen.append('[').append(StandardCharsets.UTF_8.decode(frame)).append(']');
            }
        }
        assertThat(seen).hasToString("[one][][three]");
        assertThat(decoder.inFrame()).isFalse();
    }

    @Test
    void decoderTakesSeveralFramesFromOneBufferAndReportsAPartialOne() throws Exception {
        byte[] stream = frames("ab", "cd", "efgh");
        FrameDecoder decoder = new FrameDecoder(1024, "d");
        ByteBuffer in = ByteBuffer.wrap(stream, 0, stream.length - 1);
        assertThat(StandardCharsets.UTF_8.decode(decoder.next(in)).toString()).isEqualTo("ab");
        assertThat(StandardCharsets.UTF_8.decode(decoder.next(in)).toString()).isEqualTo("cd");
        assertThat(decoder.next(in)).isNull();
        assertThat(decoder.inFrame()).isTrue();
        assertThat(decoder.bufferedBytes()).isEqualTo(7);
    }

    @Test
    void decoderMemoryFollowsArrivedBytesNotTheAnnouncedLength() throws Exception {
        FrameDecoder decoder = new FrameDecoder(64 << 20, "d");
        ByteBuffer in = ByteBuffer.allocate(14).putInt(60 << 20).put(new byte[10]).flip();
        assertThat(decoder.next(in)).isNull();
        assertThat(decoder.bufferedBytes()).isEqualTo(14);
    }

    @Test
    void decoderRejectsAnOversizedPrefix() {
        FrameDecoder decoder = new FrameDecoder(100, "client 7");
        ByteBuffer in = ByteBuffer.allocate(4).putInt(101).flip();
        assertThatThrownBy(() -> decoder.next(in)).isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("client 7").hasMessageContaining("101");
    }
}
