package org.ipc4j.shm;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A waiting end in a process of its own, for the doorbell tests. {@code receive NAME}: attaches as the
 * consumer of ring NAME, prints "READY", receives one message on a thread named {@value #WAITER} (blocking,
 * no timeout) and prints "GOT length". {@code fill NAME COUNT}: attaches as a producer, fills the ring with
 * 64-byte messages, prints "FULL n", then sends COUNT more on the {@value #WAITER} thread (blocking) and prints
 * "SENT". {@code send NAME}: attaches as a producer, sends one 5-byte message and exits. {@code hold NAME consumer}
 * or {@code hold NAME producer}: attaches, prints "ATTACHED" and sleeps until killed. Exit 0 on success, 1
 * with a stack trace on failure.
 */
public final class DoorbellTestApp {
    /** The name of the waiting thread, as its native name in /proc/PID/task/TID/comm. */
    static final String WAITER = "doorbell-waiter";

    private DoorbellTestApp() {
    }

    public static void main(String[] args) throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread waiter;
        if (args[0].equals("hold")) {
            AutoCloseable end = args[2].equals("consumer") ? ShmRing.openConsumer(args[1]) : ShmRing.openProducer(args[1]);
            System.out.println("ATTACHED " + end);
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
            return;
        }
        if (args[0].equals("send")) {
            try (RingProducer producer = ShmRing.openProducer(args[1])) {
                producer.send(new byte[5]);
            }
            System.out.println("SENT");
            System.exit(0);
        }
        if (args[0].equals("receive")) {
            RingConsumer consumer = ShmRing.openConsumer(args[1]);
            waiter = new Thread(() -> {
                try {
                    ByteBuffer in = ByteBuffer.allocate(consumer.maxMessageSize());
                    int length = consumer.receive(in);
                    System.out.println("GOT " + length);
                    consumer.close();
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, WAITER);
            System.out.println("READY");
        } else {
            RingProducer producer = ShmRing.openProducer(args[1]);
            int count = Integer.parseInt(args[2]);
            ByteBuffer message = ByteBuffer.allocate(64);
            int queued = 0;
            while (producer.trySend(message.clear())) {
                queued++;
            }
            waiter = new Thread(() -> {
                try {
                    for (int i = 0; i < count; i++) {
                        producer.send(message.clear());
                    }
                    System.out.println("SENT");
                    producer.close();
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, WAITER);
            System.out.println("FULL " + queued);
        }
        System.out.flush();
        waiter.start();
        waiter.join();
        if (failure.get() != null) {
            failure.get().printStackTrace();
            System.exit(1);
        }
        System.out.flush();
        System.exit(0);
    }
}
