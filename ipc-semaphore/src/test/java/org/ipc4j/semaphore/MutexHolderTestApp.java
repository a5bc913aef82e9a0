package org.ipc4j.semaphore;

/**
 * Child process for {@link NamedMutexCrashIT}: {@code MutexHolderTestApp NAME hold} takes the mutex, prints
 * {@code HELD} and sleeps until killed; {@code NAME exit} takes it and exits without releasing;
 * {@code NAME wait} prints {@code WAITING} and blocks in acquire (to be killed while waiting);
 * {@code NAME try} tries for 300 ms, prints {@code TRIED acquired=... ownerDied=... deadOwnerPid=...} and exits.
 */
public final class MutexHolderTestApp {
    private MutexHolderTestApp() {
    }

    public static void main(String[] args) throws Exception {
        String name = args[0];
        String mode = args[1];
        NamedMutex mutex = NamedMutex.open(name);
        if (mode.equals("try")) {
            boolean acquired = mutex.tryAcquire(java.time.Duration.ofMillis(300));
            System.out.println("TRIED acquired=" + acquired + " ownerDied=" + mutex.ownerDied() + " deadOwnerPid="
                    + mutex.deadOwnerPid());
            System.out.flush();
            mutex.close();
            return;
        }
        if (mode.equals("wait")) {
            System.out.println("WAITING");
            System.out.flush();
            mutex.acquire();
            System.out.println("ACQUIRED " + ProcessHandle.current().pid() + " ownerDied=" + mutex.ownerDied());
            System.out.flush();
            Thread.sleep(60_000);
            return;
        }
        mutex.acquire();
        System.out.println("HELD " + ProcessHandle.current().pid() + " ownerDied=" + mutex.ownerDied());
        System.out.flush();
        if (mode.equals("exit")) {
            Runtime.getRuntime().halt(3); // no close, no release: like a crash
        }
        Thread.sleep(60_000);
    }
}
