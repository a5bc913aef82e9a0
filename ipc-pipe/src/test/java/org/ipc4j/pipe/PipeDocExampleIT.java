package org.ipc4j.pipe;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.Channel;
import org.ipc4j.api.Ipc;
import org.ipc4j.testkit.ChildJvm;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The examples of docs/pipes.md, run as written (keep the two in step). The only additions are the test
 * class path and the assertions.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PipeDocExampleIT {
    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    /** docs/pipes.md, "The textbook example": the worker, Python's {@code def f(conn)}. */
    public static final class Worker {
        public static void main(String[] args) throws Exception {
            try (Channel conn = ParentChannel.open()) {                          // def f(conn):
                conn.send("[42, None, 'hello']".getBytes(StandardCharsets.UTF_8)); //     conn.send([42, None, 'hello'])
            }                                                                     //     conn.close()
        }
    }

    @Test
    void textbookExample() throws Exception {
        String printed;
        // docs/pipes.md, "The textbook example": the parent
        try (ChildProcess p = ChildProcess.startJava(Worker.class)) {        // Pipe(); Process(target=f); p.start()
            byte[] message = p.channel().receive();                          // parent_conn.recv()
            printed = new String(message, StandardCharsets.UTF_8);
            System.out.println(printed);                                     // print(...) -> [42, None, 'hello']
            p.join();                                                        // p.join()
            assertThat(p.exitCode()).hasValue(0);
        }
        assertThat(printed).isEqualTo("[42, None, 'hello']");
    }

    @Test
    void builderExample() throws Exception {
        Path log = names.uniquePath("worker", ".log");
        // docs/pipes.md, "The textbook example": the builder (worker.log becomes a unique test path)
        ChildProcess worker = ChildProcess.javaBuilder(Worker.class)
                .jvmOptions("-Xmx256m")
                .args("--shard", "3")
                .stderr(StderrTarget.file(log))                      // default: StderrTarget.log()
                .maxMessageSize(4 << 20)                             // default 1 MiB, passed on to the child
                .closeGrace(Duration.ofSeconds(10))                  // default 5 s
                .start();
        try (worker) {
            assertThat(new String(worker.channel().receive(), StandardCharsets.UTF_8)).isEqualTo("[42, None, 'hello']");
            assertThat(worker.channel().maxMessageSize()).isEqualTo(4 << 20);
            assertThat(worker.join(Duration.ofSeconds(20))).isTrue();
        }
    }

    @Test
    void sortExample() throws Exception {
        // docs/pipes.md, "Any program: raw streams"
        try (ChildProcess sort = ChildProcess.start("sort")) {
            try (OutputStream in = sort.stdin()) {
                in.write("pear\napple\nfig\n".getBytes(StandardCharsets.UTF_8));
            }                                                   // closing stdin = end of file for sort
            String sorted = new String(sort.stdout().readAllBytes(), StandardCharsets.UTF_8);
            sort.join(Duration.ofSeconds(10));
            assertThat(sorted).isEqualTo("apple\nfig\npear\n");
        }
    }

    /** docs/pipes.md, "Named pipes": the other process. */
    public static final class FifoPeer {
        public static void main(String[] args) throws Exception {
            try (Channel ch = Ipc.open("fifo:" + args[0])) {
                byte[] request = ch.receive();
                ch.send(("got " + new String(request, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void fifoExample() throws Exception {
        Path base = names.uniquePath("doc", "");
        names.deleteAfter(FifoChannel.aToB(base));
        names.deleteAfter(FifoChannel.bToA(base));
        names.deleteAfter(FifoChannel.lease(base));
        try (ChildJvm peer = ChildJvm.start(FifoPeer.class, base.toString())) {
            // docs/pipes.md, "Named pipes": this process (the same address; whichever opens first takes side A)
            try (Channel ch = Ipc.open("fifo:" + base)) {
                ch.send("order 1".getBytes(StandardCharsets.UTF_8));
                byte[] reply = ch.receive(Duration.ofSeconds(10));
                assertThat(new String(reply, StandardCharsets.UTF_8)).isEqualTo("got order 1");
            }
            assertThat(peer.waitFor(Duration.ofSeconds(20))).as(peer.output()).isZero();
        }
        FifoRendezvousTest.assertNothingLeft(base);
    }
}
