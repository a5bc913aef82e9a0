package org.ipc4j.bench.harness;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Every mechanism the comparison knows, in the order of the report. */
public final class Mechanisms {
    /** The largest UDP payload over IPv4 (65535 - 8 UDP - 20 IP header bytes). */
    static final int UDP_MAX = 65_507;

    private Mechanisms() {
    }

    /** All mechanisms, references first. */
    public static List<Mechanism> all() {
        int msgsizeMax = mqMsgsizeMax();
        List<Mechanism> list = new ArrayList<>();
        list.add(MappedMechanism.cacheLine());
        list.add(MappedMechanism.agrona());
        list.add(new UriMechanism("shm", "shm", "shared-memory ring (ipc4j)", "yes", "built in", "both",
                "lowest latency on one host, high message rates",
                name -> "shm:" + name + "?capacity=16m&maxmsg=2m&role=a&mode=create&unlink=true",
                name -> "shm:" + name + "?role=b&mode=open", 2 << 20, "larger than maxmsg=2m of the ring") {
            @Override
            protected void cleanUp(String name) {
                unlinkShm(name);
            }
        });
        // The README's form, byte[] receive(), on the same ring: must cost what the ByteBuffer form costs.
        list.add(new UriMechanism("shm-bytes", "shm", "shared-memory ring (ipc4j, byte[] receive)", "yes",
                "built in", "both", "the README's form: one array of the message's size per receive",
                name -> "shm:" + name + "?capacity=16m&maxmsg=2m&role=a&mode=create&unlink=true",
                name -> "shm:" + name + "?role=b&mode=open", 2 << 20, "larger than maxmsg=2m of the ring") {
            @Override
            protected void cleanUp(String name) {
                unlinkShm(name);
            }

            @Override
            protected Link link(org.ipc4j.api.Channel channel) {
                return ChannelLink.byteArrays(channel);
            }
        });
        // The same ring with both ends busy-spinning: like for like with the spinning Agrona reference.
        list.add(new UriMechanism("shm-spin", "shm", "shared-memory ring (ipc4j, wait=spin)", "yes", "built in",
                "both", "latency-critical pairs with a core to spare per waiting end",
                name -> "shm:" + name + "?capacity=16m&maxmsg=2m&role=a&mode=create&unlink=true&wait=spin",
                name -> "shm:" + name + "?role=b&mode=open&wait=spin", 2 << 20, "larger than maxmsg=2m of the ring") {
            @Override
            protected void cleanUp(String name) {
                unlinkShm(name);
            }
        });
        list.add(new UriMechanism("unix", "unix", "Unix domain socket", "no", "no", "both",
                "local client/server, passing credentials",
                name -> "unix:" + socketPath(name) + "?role=a&maxmsg=2m",
                name -> "unix:" + socketPath(name) + "?role=b&maxmsg=2m",
                Integer.MAX_VALUE, "") {
            @Override
            protected void cleanUp(String name) {
                deleteQuietly(Path.of(socketPath(name)));
            }
        });
        // The README's form on a Unix socket: byte[] receive() against the ByteBuffer form above.
        list.add(new UriMechanism("unix-bytes", "unix", "Unix domain socket (byte[] receive)", "no", "no", "both",
                "the README's form: one array of the message's size per receive",
                name -> "unix:" + socketPath(name) + "?role=a&maxmsg=2m",
                name -> "unix:" + socketPath(name) + "?role=b&maxmsg=2m",
                Integer.MAX_VALUE, "") {
            @Override
            protected void cleanUp(String name) {
                deleteQuietly(Path.of(socketPath(name)));
            }

            @Override
            protected Link link(org.ipc4j.api.Channel channel) {
                return ChannelLink.byteArrays(channel);
            }
        });
        list.add(new UriMechanism("tcp", "tcp", "TCP socket (loopback)", "no", "no", "both",
                "across hosts; the common denominator",
                port -> "tcp://127.0.0.1:" + port + "?role=a&maxmsg=2m",
                port -> "tcp://127.0.0.1:" + port + "?role=b&maxmsg=2m",
                Integer.MAX_VALUE, "") {
            @Override
            protected String freshName() throws IOException {
                return String.valueOf(freePort());
            }
        });
        list.add(new UriMechanism("udp", "udp", "UDP socket (loopback)", "no", "no", "both",
                "datagrams, loss tolerated: telemetry, discovery",
                // The child listens: a UDP listener learns its peer from the first datagram, the parent's.
                port -> "udp://127.0.0.1:" + port, port -> "udp://127.0.0.1:" + port + "?listen=true",
                UDP_MAX, "larger than a UDP datagram (65507 B)") {
            @Override
            protected String freshName() throws IOException {
                return String.valueOf(freePort());
            }

            @Override
            public int window(int size) {
                // Keep the unacknowledged bytes well inside the default socket receive buffer: UDP drops.
                return Math.max(1, Math.min(16, 32_768 / Math.max(size, 1)));
            }
        });
        list.add(new PipeMechanism());
        list.add(new UriMechanism("fifo", "fifo", "named pipe (FIFO)", "no", "no", "one way (two FIFOs here)",
                "simple streams between unrelated processes",
                // the same address on both sides: the first opener takes side A, the second side B
                name -> "fifo:" + socketPath(name) + "?maxmsg=2m",
                name -> "fifo:" + socketPath(name) + "?maxmsg=2m", Integer.MAX_VALUE, "") {
            @Override
            protected void cleanUp(String name) {
                // the session's last close removes these; this covers a run that failed half-way
                deleteQuietly(Path.of(socketPath(name) + ".a2b"));
                deleteQuietly(Path.of(socketPath(name) + ".b2a"));
                deleteQuietly(Path.of(socketPath(name) + ".lease"));
            }
        });
        list.add(new UriMechanism("mq", "mq", "POSIX message queue (ipc4j, JNA)", "yes (kernel)", "no", "both",
                "prioritised, asynchronous work queues",
                // the same address on both sides: the first opener takes side A, the second side B
                name -> "mq:/" + name + "?depth=10&maxmsg=" + msgsizeMax,
                name -> "mq:/" + name + "?depth=10&maxmsg=" + msgsizeMax, msgsizeMax,
                "larger than /proc/sys/fs/mqueue/msgsize_max (" + msgsizeMax + ")") {
            @Override
            protected void cleanUp(String name) {
                // the session's last close removes the queues and the lease; this covers a failed run
                try {
                    org.ipc4j.mqueue.MessageQueueChannel.unlink("/" + name);
                } catch (Exception e) {
                    // nothing left, or a live end still holds it: either way not this run's to remove
                }
            }
        });
        list.add(NativeFloor.messageQueue(msgsizeMax));
        list.add(new SemaphoreMechanism());
        list.add(NativeFloor.semaphore());
        return list;
    }

    /** The ids, in order. */
    public static List<String> ids() {
        return all().stream().map(Mechanism::id).toList();
    }

    /** Finds a mechanism by id. */
    public static Mechanism byId(String id) {
        return all().stream().filter(m -> m.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown mechanism \"" + id + "\"; known: " + ids()));
    }

    static int mqMsgsizeMax() {
        try {
            // readAllLines, not readString: /proc files report size 0 and readString trusts the size on JDK 17.
            return Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/fs/mqueue/msgsize_max")).get(0).trim());
        } catch (IOException | RuntimeException e) {
            return 8192;
        }
    }

    static String socketPath(String name) {
        return Path.of(System.getProperty("java.io.tmpdir"), name).toString();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            System.err.println("could not delete " + p + ": " + e);
        }
    }

    /** The parent's unlink=true removes a ring's region when it closes; this covers a failed open. */
    private static void unlinkShm(String name) {
        try {
            org.ipc4j.shm.SharedMemory.unlink(name);
        } catch (Exception e) {
            System.err.println("could not unlink shm " + name + ": " + e);
        }
    }

}
