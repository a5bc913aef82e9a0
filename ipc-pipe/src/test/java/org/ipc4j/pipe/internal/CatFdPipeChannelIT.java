package org.ipc4j.pipe.internal;

import org.ipc4j.api.Channel;
import org.ipc4j.testkit.ChannelContract;
import org.ipc4j.testkit.ChannelPair;

/**
 * The channel contract over the engine of a framed child process (pipes made by {@link ChildPipes}, read and
 * written on the caller's thread by {@link FdReceiveEnd} and {@link FdSendEnd}) with a real foreign process in
 * each direction: a writes into the standard input of one {@code cat}, b reads its standard output, and the
 * other way round through a second {@code cat}. (CatPipeChannelIT runs the same over the JDK's streams with
 * helper threads; ChildProcessIT and PipeBackpressureIT test the Java child, kill -9 and backpressure.)
 */
class CatFdPipeChannelIT extends ChannelContract {
    private static final int MAX = 1 << 20;

    /** A cat on its own pair of pipes; the returned pipes hold this process's two ends. */
    private ChildPipes cat() throws Exception {
        ChildPipes pipes = ChildPipes.create();
        names.onCleanup(pipes::close);
        ProcessBuilder pb = new ProcessBuilder("cat").redirectInput(ProcessBuilder.Redirect.from(pipes.childStdin()))
                .redirectOutput(ProcessBuilder.Redirect.to(pipes.childStdout()))
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        Process cat;
        try {
            cat = pb.start();
        } finally {
            pipes.closeChildEnds();
        }
        names.onCleanup(() -> {
            cat.destroyForcibly();
            cat.waitFor();
        });
        return pipes;
    }

    @Override
    protected ChannelPair openPair() throws Exception {
        ChildPipes forward = cat();
        ChildPipes backward = cat();
        Channel a = new PipeChannel("end a", new FdSendEnd("end a", forward.takeToChild(), MAX, () -> "cat 1 gone"),
                new FdReceiveEnd("end a", backward.takeFromChild(), MAX, () -> "cat 2 ended", null, null));
        Channel b = new PipeChannel("end b", new FdSendEnd("end b", backward.takeToChild(), MAX, () -> "cat 2 gone"),
                new FdReceiveEnd("end b", forward.takeFromChild(), MAX, () -> "cat 1 ended", null, null));
        return new ChannelPair(a, b);
    }

    // cat keeps moving bytes from one pipe to the next for a moment after trySend has failed, so a following
    // timed send can find room: the kit's full-channel test does not apply (PipeBackpressureIT tests a
    // settled pipeline instead).
    @Override
    protected boolean hasBoundedCapacity() {
        return false;
    }

    @Override
    protected Addresses remoteAddresses() {
        return null;
    }
}
