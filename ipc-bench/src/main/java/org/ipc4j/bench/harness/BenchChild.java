package org.ipc4j.bench.harness;

import java.util.List;

/**
 * The child process of a comparison run: {@code BenchChild MECHANISM ADDRESS STEPS CPU READY_FILE IDLE
 * IDLE_FILE}. Pins
 * itself to {@code CPU} (unless -1), opens its end (retrying while the parent is still creating it), creates
 * {@code READY_FILE} (the parent sends nothing before: a UDP listener, say, must be bound first), runs the
 * steps (on a virtual thread with {@code -Dipc4j.bench.virtual=true}) and the idle phase ({@link Idle}; {@code -} for none; it writes its CPU figures to IDLE_FILE), exits 0. Failures go to stderr with exit 1. Nothing is written to stdout, which may be a channel.
 */
public final class BenchChild {
    private BenchChild() {
    }

    public static void main(String[] args) {
        try {
            Mechanism mechanism = Mechanisms.byId(args[0]);
            String address = args[1];
            List<Step> steps = Step.decode(args[2]);
            int cpu = Integer.parseInt(args[3]);
            if (cpu >= 0 && !Pinning.pinSelf(String.valueOf(cpu))) {
                System.err.println("[bench child] could not pin to CPU " + cpu);
            }
            Link link = openWithRetry(mechanism, address);
            java.nio.file.Files.createFile(java.nio.file.Path.of(args[4]));
            try {
                java.util.concurrent.Callable<Void> run = () -> {
                    for (Step step : steps) {
                        Driver.child(link, step, mechanism.carriesData());
                    }
                    if (args.length > 6 && !args[5].equals("-")) {
                        Idle.decode(args[5]).child(link, steps.get(0).size(), java.nio.file.Path.of(args[6]));
                    }
                    return null;
                };
                if (Boolean.getBoolean(VirtualThreadRunner.PROPERTY)) {
                    VirtualThreadRunner.call(run);
                } else {
                    run.call();
                }
            } finally {
                link.close();
            }
        } catch (Throwable t) {
            System.err.println("[bench child] " + (args.length > 0 ? args[0] : "") + " failed:");
            t.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    static Link openWithRetry(Mechanism mechanism, String address) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (true) {
            try {
                return mechanism.openChild(address);
            } catch (Exception e) {
                // The parent creates the objects (or starts listening) concurrently: try again shortly.
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(20);
            }
        }
    }
}
