package org.ipc4j.pipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.Sender;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Frames larger than the free room in the pipe, sent to a python3 reader in another process that holds the
 * FIFO open but reads only when told to. Once it reads, it reports every whole frame it got (SHA-256 prefix and
 * length) and the bytes of any partial frame: so "nothing was sent" is checked by the real receiving process.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FifoLargeSendIT {
    private static final String READER = String.join("\n",
            "import sys, struct, hashlib",
            "f = open(sys.argv[1], 'rb', buffering=0)",
            "print('open', flush=True)",
            "sys.stdin.readline()",
            "data = bytearray()",
            "while True:",
            "    chunk = f.read(1 << 16)",
            "    if not chunk:",
            "        break",
            "    data += chunk",
            "frames, i = [], 0",
            "while i + 4 <= len(data):",
            "    n = struct.unpack('>I', bytes(data[i:i + 4]))[0]",
            "    if i + 4 + n > len(data):",
            "        break",
            "    frames.append(hashlib.sha256(bytes(data[i + 4:i + 4 + n])).hexdigest()[:16] + ':' + str(n))",
            "    i += 4 + n",
            "print('frames=' + ','.join(frames) + ' trailing=' + str(len(data) - i), flush=True)",
            "");

    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    private Process reader;

    @AfterEach
    void stopReader() {
        if (reader != null) {
            reader.destroyForcibly();
        }
    }

    private static byte[] message(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static String id(byte[] payload) throws Exception {
        byte[] d = MessageDigest.getInstance("SHA-256").digest(payload);
        return HexFormat.of().formatHex(d).substring(0, 16) + ":" + payload.length;
    }

    /** Starts the python3 reader on the FIFO and opens the framed sender (default maximum 1 MiB). */
    private Sender openSenderToSleepingReader(Path fifo) throws Exception {
        reader = new ProcessBuilder("python3", "-c", READER, fifo.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        return NamedPipe.openSender(fifo, Duration.ofSeconds(20));
    }

    /** Lets the reader read, and returns its report once the sender has closed. */
    private String readerReport() throws Exception {
        try (OutputStream in = reader.getOutputStream()) {
            in.write("go\n".getBytes(StandardCharsets.UTF_8));
        }
        BufferedReader out = new BufferedReader(new InputStreamReader(reader.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).isEqualTo("open");
        String report = out.readLine();
        assertThat(reader.waitFor(20, TimeUnit.SECONDS)).isTrue();
        return report;
    }

    /**
     * The reviewer's case: before the fix, a timed send of a frame larger than the free room wrote part of it
     * and then waited forever, deaf to its timeout and to interrupts.
     */
    @Test
    void timedSendInterruptAndCloseLeaveNothingSentWhenTheReaderDoesNotRead() throws Exception {
        Path fifo = names.uniquePath("big", ".fifo");
        NamedPipe.create(fifo);
        byte[] first = message(200_000, 1);
        byte[] second = message(200_000, 2);
        Sender sender = openSenderToSleepingReader(fifo);
        try {
            assertThat(sender.send(ByteBuffer.wrap(first), Duration.ofSeconds(5))).as("room for the first").isTrue();

            // timeout: false after about the timeout, not a hang
            long start = System.nanoTime();
            CompletableFuture<Boolean> timed = CompletableFuture.supplyAsync(() -> {
                try {
                    return sender.send(ByteBuffer.wrap(second), Duration.ofMillis(300));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            assertThat(timed.get(5, TimeUnit.SECONDS)).isFalse();
            assertThat((System.nanoTime() - start) / 1_000_000).isBetween(250L, 4_000L);
            assertThat(sender.trySend(ByteBuffer.wrap(second))).as("trySend with no room").isFalse();

            // interrupt: InterruptedIOException, interrupt status kept
            CompletableFuture<Throwable> interrupted = new CompletableFuture<>();
            CompletableFuture<Boolean> flag = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                interrupted.complete(catchThrowable(() -> sender.send(ByteBuffer.wrap(second), Duration.ofMinutes(5))));
                flag.complete(Thread.currentThread().isInterrupted());
            });
            t.start();
            Thread.sleep(300);
            assertThat(interrupted).isNotDone();
            t.interrupt();
            assertThat(interrupted.get(5, TimeUnit.SECONDS)).isInstanceOf(InterruptedIOException.class);
            assertThat(flag.get(5, TimeUnit.SECONDS)).isTrue();

            // close: an untimed send wakes with EndpointClosedException
            CompletableFuture<Throwable> closed = CompletableFuture.supplyAsync(
                    () -> catchThrowable(() -> sender.send(ByteBuffer.wrap(second))));
            Thread.sleep(300);
            assertThat(closed).isNotDone();
            sender.close();
            assertThat(closed.get(5, TimeUnit.SECONDS)).isInstanceOf(EndpointClosedException.class);
        } finally {
            sender.close();
        }
        assertThat(readerReport()).as("only the first frame, whole, and not a byte of the others")
                .isEqualTo("frames=" + id(first) + " trailing=0");
    }

    /** Before the fix, trySend of a frame larger than the 64 KiB pipe returned false forever, even on an empty pipe. */
    @Test
    void trySendOfAFrameLargerThanThePipeSucceedsWhenThePipeIsEmpty() throws Exception {
        Path fifo = names.uniquePath("try", ".fifo");
        NamedPipe.create(fifo);
        byte[] big = message(300_000, 3);
        byte[] small = message(1000, 4);
        try (Sender sender = openSenderToSleepingReader(fifo)) {
            assertThat(sender.trySend(ByteBuffer.wrap(big))).isTrue();
            assertThat(sender.trySend(ByteBuffer.wrap(small))).isTrue();
        }
        assertThat(readerReport()).isEqualTo("frames=" + id(big) + "," + id(small) + " trailing=0");
    }

    /** A reader that reads while large frames stream in: every frame arrives whole and in order. */
    @Test
    void largeFramesStreamToAReaderThatKeepsReading() throws Exception {
        Path fifo = names.uniquePath("stream", ".fifo");
        NamedPipe.create(fifo);
        StringBuilder expected = new StringBuilder("frames=");
        Sender sender = openSenderToSleepingReader(fifo);
        CompletableFuture<String> report = CompletableFuture.supplyAsync(() -> {
            try {
                return readerReport();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        try (sender) {
            for (int i = 0; i < 20; i++) {
                byte[] m = message(5_000 + i * 40_000, 10 + i);
                assertThat(sender.send(ByteBuffer.wrap(m), Duration.ofSeconds(20))).isTrue();
                expected.append(i == 0 ? "" : ",").append(id(m));
            }
        }
        assertThat(report.get(30, TimeUnit.SECONDS)).isEqualTo(expected + " trailing=0");
    }
}
