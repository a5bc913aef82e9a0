package org.ipc4j.pipe.internal;

import java.nio.ByteBuffer;
import org.ipc4j.api.internal.posix.Libc;
import org.ipc4j.api.internal.posix.OsConstants;
import org.ipc4j.api.internal.posix.Scratch;
import org.ipc4j.testkit.OneWayContract;
import org.ipc4j.testkit.OneWayPair;
import org.junit.jupiter.api.BeforeAll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The one-way contract over the ends a framed {@link org.ipc4j.pipe.ChildProcess} uses, {@link FdSendEnd} and
 * {@link FdReceiveEnd}, on the two ends of one anonymous pipe in this JVM (the child's side of them runs in
 * {@code ChildProcessOneWayIT}). Closing the read end is the receiver's death to the writer: {@code EPIPE}.
 */
class PipeEndsOneWayTest extends OneWayContract {

    @BeforeAll
    static void pipesWork() {
        assumeTrue(ChildPipes.supported(), "no POSIX pipes here");
    }

    @Override
    protected OneWayPair openPair() throws Exception {
        Scratch scratch = Scratch.get();
        assertThat(Libc.pipe(scratch.address(Scratch.WORD))).as("pipe(2)").isZero();
        ByteBuffer ends = scratch.memory();
        int read = ends.getInt(Scratch.WORD);
        int write = ends.getInt(Scratch.WORD + Integer.BYTES);
        for (int fd : new int[] {read, write}) {
            Libc.fcntl(fd, OsConstants.F_SETFD, OsConstants.FD_CLOEXEC);
            ChildPipes.nonBlocking(fd);
        }
        return new OneWayPair(new FdSendEnd("pipe (write end)", write, 1 << 20, () -> "pipe: the reader closed it"),
                new FdReceiveEnd("pipe (read end)", read, 1 << 20, () -> "pipe: the writer closed it", null, null));
    }

    @Override
    protected boolean killReceiver(OneWayPair pair) throws Exception {
        pair.receiver().close();
        return true;
    }
}
