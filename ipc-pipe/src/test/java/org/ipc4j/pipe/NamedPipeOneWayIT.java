package org.ipc4j.pipe;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.Receiver;
import org.ipc4j.api.Sender;
import org.ipc4j.testkit.OneWayContract;
import org.ipc4j.testkit.OneWayPair;
import org.ipc4j.testkit.OneWayRemote;

/**
 * The one-way contract over a FIFO's framed ends ({@link NamedPipe#openSender}, {@link NamedPipe#openReceiver}):
 * both ends in this JVM (opened concurrently, since each open waits for the other), and with the other end
 * in a child JVM on the same path. The receiver's close is its death to a FIFO writer: no reader is left,
 * so the next write fails with {@code EPIPE}.
 */
class NamedPipeOneWayIT extends OneWayContract {
    private static final Duration OPEN = Duration.ofSeconds(30);

    /** Opens the ends of the FIFO at the address (a path), here and in the child. */
    public static final class Opener implements OneWayRemote.Opener {
        @Override
        public Sender openSender(String address) throws Exception {
            return NamedPipe.openSender(Path.of(address), OPEN);
        }

        @Override
        public Receiver openReceiver(String address) throws Exception {
            return NamedPipe.openReceiver(Path.of(address), OPEN);
        }
    }

    private Path fifo() throws Exception {
        Path path = names.uniquePath("fifo", ".fifo");
        NamedPipe.create(path);
        return path;
    }

    @Override
    protected OneWayPair openPair() throws Exception {
        Path path = fifo();
        CompletableFuture<Receiver> receiver = CompletableFuture.supplyAsync(() -> {
            try {
                return NamedPipe.openReceiver(path, OPEN);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        Sender sender = NamedPipe.openSender(path, OPEN);
        return new OneWayPair(sender, receiver.get(OPEN.toMillis(), TimeUnit.MILLISECONDS));
    }

    @Override
    protected OneWayRemote remote() throws Exception {
        return OneWayRemote.of(Opener.class, fifo().toString());
    }

    @Override
    protected boolean killReceiver(OneWayPair pair) throws Exception {
        pair.receiver().close();
        return true;
    }
}
