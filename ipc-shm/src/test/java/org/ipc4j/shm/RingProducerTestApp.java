package org.ipc4j.shm;

import java.nio.ByteBuffer;

/**
 * A producer process for the fault tests: {@code NAME ID FIRST COUNT MAXPAYLOAD HOLD} attaches to the
 * existing ring NAME, sends messages FIRST..FIRST+COUNT-1 of producer ID, prints "SENT", and then, if HOLD
 * is "hold", claims one more record, writes half of it, prints "HOLDING" and sleeps until killed. Exit 0 on
 * success, 1 with a stack trace on failure.
 */
public final class RingProducerTestApp {
    private RingProducerTestApp() {
    }

    public static void main(String[] args) {
        try {
            String name = args[0];
            int id = Integer.parseInt(args[1]);
            long first = Long.parseLong(args[2]);
            long count = Long.parseLong(args[3]);
            int maxPayload = Integer.parseInt(args[4]);
            boolean hold = args.length > 5 && args[5].equals("hold");
            RingProducer ring = ShmRing.openProducer(name);
            System.out.println("ATTACHED");
            System.out.flush();
            ByteBuffer out = ByteBuffer.allocate(maxPayload + TestMessages.OVERHEAD);
            for (long seq = first; seq < first + count; seq++) {
                ByteBuffer message = TestMessages.fill(out, id, seq, maxPayload);
                while (true) {
                    try {
                        ring.send(message);
                        break;
                    } catch (org.ipc4j.api.PeerGoneException e) {
                        Thread.sleep(20); // the consumer died with the ring full: wait for its successor
                    }
                }
            }
            System.out.println("SENT");
            System.out.flush();
            if (hold) {
                ByteBuffer message = TestMessages.fill(out, id, first + count, maxPayload);
                int length = message.remaining();
                long at;
                while ((at = ring.tryClaim(length)) < 0) {
                    Thread.onSpinWait();
                }
                for (int i = 0; i < length / 2; i++) {
                    ring.bytes().writeByte(at + i, message.get(i));
                }
                System.out.println("HOLDING");
                System.out.flush();
                Thread.sleep(600_000);
            }
            ring.close();
            System.exit(0);
        } catch (Throwable t) {
            t.printStackTrace();
            System.exit(1);
        }
    }
}
