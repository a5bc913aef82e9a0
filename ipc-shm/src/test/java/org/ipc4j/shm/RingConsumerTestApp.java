package org.ipc4j.shm;

import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * A consumer process for the restart test: {@code NAME COUNT MAXPAYLOAD} attaches as consumer, receives and
 * checks COUNT messages, prints "LAST producer seq" and halts without closing (like a crash after its last
 * receive returned). Exit 0 on success, 1 on failure.
 */
public final class RingConsumerTestApp {
    private RingConsumerTestApp() {
    }

    public static void main(String[] args) {
        try {
            RingConsumer ring = ShmRing.openConsumer(args[0]);
            long count = Long.parseLong(args[1]);
            ByteBuffer in = ByteBuffer.allocate(Integer.parseInt(args[2]) + TestMessages.OVERHEAD);
            long last = -1;
            for (long i = 0; i < count; i++) {
                in.clear();
                int length = -1;
                long end = System.nanoTime() + 30_000_000_000L;
                while (length < 0 && System.nanoTime() < end) {
                    try {
                        length = ring.receive(in, Duration.ofMillis(200));
                    } catch (org.ipc4j.api.PeerGoneException e) {
                        Thread.sleep(20); // the producer has not attached yet
                    }
                }
                if (length < 0) {
                    throw new AssertionError("no message " + i + " within 30 s");
                }
                long key = TestMessages.check(in, length);
                long seq = key & 0xFFFF_FFFF_FFFFL;
                if (seq != last + 1) {
                    throw new AssertionError("expected seq " + (last + 1) + ", got " + seq);
                }
                last = seq;
            }
            System.out.println("LAST " + last);
            System.out.flush();
            Runtime.getRuntime().halt(0);
        } catch (Throwable t) {
            t.printStackTrace();
            System.exit(1);
        }
    }
}
