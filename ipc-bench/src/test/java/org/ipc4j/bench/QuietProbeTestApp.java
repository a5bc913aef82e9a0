package org.ipc4j.bench;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.Channel;
import org.ipc4j.api.Ipc;
import org.ipc4j.api.Sync;
import org.ipc4j.pipe.ChildProcess;
import org.ipc4j.pipe.ParentChannel;

/**
 * Opens every mechanism and makes one round trip over each, as a user would, and prints nothing when all
 * worked: {@code QuietStartIT} fails on any line this JVM (or the JVM it starts for the pipe) prints. On a
 * failure prints the stack trace and exits 1. {@code args[0]} is a unique name prefix.
 */
public final class QuietProbeTestApp {
    private QuietProbeTestApp() {
    }

    public static void main(String[] args) {
        try {
            String name = args[0];
            Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
            roundTrip("shm:" + name + "-shm?capacity=64k");
            roundTrip("mq:/" + name + "-mq");
            Path fifo = tmp.resolve(name + ".fifo");
            Path sock = tmp.resolve(name + ".sock");
            try {
                roundTrip("fifo:" + fifo);
                roundTrip("unix:" + sock);
            } finally {
                Files.deleteIfExists(fifo);
                Files.deleteIfExists(sock);
            }
            roundTrip("tcp://127.0.0.1:" + freePort());
            try (Sync sync = Ipc.openSync("sem:/" + name + "-sem?initial=0&mode=create&unlink=true")) {
                sync.release();
                if (!sync.tryAcquire(Duration.ofSeconds(5))) {
                    throw new IllegalStateException("sem: acquire after release failed");
                }
            }
            pipeToChild();
            System.exit(0);
        } catch (Throwable t) {
            t.printStackTrace(System.out);
            System.exit(1);
        }
    }

    /** Opens both ends of {@code address} at once (the first to open may wait for the second), one round trip. */
    private static void roundTrip(String address) throws Exception {
        CompletableFuture<Channel> first = CompletableFuture.supplyAsync(() -> open(address));
        Channel b = open(address);
        Channel a = first.get(30, TimeUnit.SECONDS);
        try {
            a.send("ping".getBytes(StandardCharsets.UTF_8));
            expect(address, b.receive(Duration.ofSeconds(10)), "ping");
            b.send("pong".getBytes(StandardCharsets.UTF_8));
            expect(address, a.receive(Duration.ofSeconds(10)), "pong");
        } finally {
            a.close();
            b.close();
        }
    }

    private static Channel open(String address) {
        try {
            return Ipc.open(address);
        } catch (Exception e) {
            throw new IllegalStateException(address, e);
        }
    }

    private static void expect(String address, byte[] got, String want) {
        String text = got == null ? null : new String(got, StandardCharsets.UTF_8);
        if (!want.equals(text)) {
            throw new IllegalStateException(address + ": expected " + want + ", got " + text);
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A worker JVM on a pipe, with this JVM's launcher and options (so its flags are the same). */
    private static void pipeToChild() throws Exception {
        List<String> options = new ArrayList<>();
        for (String option : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!option.startsWith("-Djava.class.path")) {
                options.add(option);
            }
        }
        try (ChildProcess child = ChildProcess.javaBuilder(Worker.class)
                .javaExecutable(Path.of(System.getProperty("java.home"), "bin", "java"))
                .jvmOptions(options).start()) {
            expect("pipe", child.channel().receive(Duration.ofSeconds(30)), "hello");
            int code = child.join();
            if (code != 0) {
                throw new IllegalStateException("the pipe's worker exited with " + code);
            }
        }
    }

    /** The pipe's worker: one message to the parent. */
    public static final class Worker {
        private Worker() {
        }

        public static void main(String[] args) throws Exception {
            try (Channel parent = ParentChannel.open()) {
                parent.send("hello".getBytes(StandardCharsets.UTF_8));
            }
        }
    }
}
