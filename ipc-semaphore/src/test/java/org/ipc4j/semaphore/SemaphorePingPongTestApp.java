package org.ipc4j.semaphore;

import java.time.Duration;

/**
 * Child process: {@code SemaphorePingPongTestApp PING PONG ROUNDS} opens two existing semaphores and, ROUNDS
 * times, waits for PING and posts PONG. Exits 0 when done, 2 if a wait times out.
 */
public final class SemaphorePingPongTestApp {
    private SemaphorePingPongTestApp() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(args[2]);
        try (NamedSemaphore ping = NamedSemaphore.open(args[0]); NamedSemaphore pong = NamedSemaphore.open(args[1])) {
            System.out.println("READY");
            System.out.flush();
            for (int i = 0; i < rounds; i++) {
                if (!ping.tryAcquire(Duration.ofSeconds(20))) {
                    System.out.println("timed out in round " + i);
                    System.exit(2);
                }
                pong.release();
            }
        }
        System.out.println("DONE");
    }
}
