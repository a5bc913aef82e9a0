package org.ipc4j.pipe.internal;

import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import org.ipc4j.testkit.OneWayContract;
import org.ipc4j.testkit.OneWayPair;

/**
 * The one-way contract over the ends a framed {@link org.ipc4j.pipe.ChildProcess} falls back to where it
 * cannot make its own pipes (and that {@link org.ipc4j.pipe.StreamChannels} uses): {@link StreamSendEnd} and
 * {@link StreamReceiveEnd} over a blocking stream, here an in-JVM piped stream of 64 KiB. Their writer and
 * reader threads move bytes behind the caller's back, so the kit's fill waits until the pair stays full.
 */
class StreamEndsOneWayTest extends OneWayContract {
    private static final int QUEUE_BYTES = 16 << 10;

    @Override
    protected OneWayPair openPair() throws Exception {
        PipedInputStream in = new PipedInputStream(64 << 10);
        PipedOutputStream out = new PipedOutputStream(in);
        return new OneWayPair(new StreamSendEnd("stream (sending end)", out, 1 << 20, QUEUE_BYTES),
                new StreamReceiveEnd("stream (receiving end)", in, 1 << 20, QUEUE_BYTES,
                        () -> "stream: the writer closed it", null));
    }

    @Override
    protected String knownDefect(String testName) {
        return testName.equals("sendAfterTheReceiversDeathThrows")
                ? "StreamSendEnd's send returns once the message is queued for its writer thread, so the first send"
                        + " after the reader is gone returns normally and its message is lost when the write fails;"
                        + " only later sends throw PeerGoneException (the fallback ends where no POSIX pipes exist)"
                : null;
    }

    @Override
    protected boolean killReceiver(OneWayPair pair) throws Exception {
        pair.receiver().close();
        return true;
    }
}
