package org.ipc4j.shm;

import java.nio.ByteBuffer;
import java.util.zip.CRC32;

/**
 * Self-checking messages for the multi-process tests: producer id, sequence number, payload derived from
 * both, and a CRC32 over everything before it. A torn or mixed-up message fails {@link #check}.
 */
final class TestMessages {
    static final int OVERHEAD = 4 + 8 + 4 + 8;

    private TestMessages() {
    }

    static int sizeFor(int producer, long seq, int maxPayload) {
        return (int) ((seq * 31 + producer * 7) % (maxPayload + 1));
    }

    /** Writes message (producer, seq) into {@code out} from position 0, flipped for sending. */
    static ByteBuffer fill(ByteBuffer out, int producer, long seq, int maxPayload) {
        int payload = sizeFor(producer, seq, maxPayload);
        out.clear();
        out.putInt(producer).putLong(seq).putInt(payload);
        for (int i = 0; i < payload; i++) {
            out.put((byte) (seq * 13 + i * 7 + producer));
        }
        CRC32 crc = new CRC32();
        crc.update(out.array(), 0, out.position());
        out.putLong(crc.getValue());
        return out.flip();
    }

    /** Validates a received message (position 0 to limit) and returns its (producer, seq) as producer << 48 | seq. */
    static long check(ByteBuffer in, int length) {
        if (length < OVERHEAD) {
            throw new AssertionError("message of " + length + " bytes is shorter than the " + OVERHEAD + "-byte frame");
        }
        int producer = in.getInt(0);
        long seq = in.getLong(4);
        int payload = in.getInt(12);
        if (payload != length - OVERHEAD) {
            throw new AssertionError("torn message: payload length " + payload + " in a message of " + length);
        }
        CRC32 crc = new CRC32();
        crc.update(in.array(), 0, length - 8);
        if (crc.getValue() != in.getLong(length - 8)) {
            throw new AssertionError("torn message: checksum mismatch for producer " + producer + " seq " + seq);
        }
        return ((long) producer << 48) | seq;
    }
}
