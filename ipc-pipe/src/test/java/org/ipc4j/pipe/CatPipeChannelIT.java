package org.ipc4j.pipe;

import org.ipc4j.api.Channel;
import org.ipc4j.testkit.ChannelContract;
import org.ipc4j.testkit.ChannelPair;

/**
 * The channel contract over real anonymous pipes between real processes: each direction runs through its
 * own {@code cat} child (a writes into cat 1's standard input, b reads cat 1's standard output, and the
 * other way round through cat 2). Every byte crosses two kernel pipes and a foreign process, so framing,
 * backpressure, end of file on close and the wake-ups are exercised as they happen with any child.
 * Cross-process echo and kill -9 of a Java child are in {@link ChildProcessIT} (anonymous pipes have
 * no address, so the kit's address-based tests do not apply).
 */
class CatPipeChannelIT extends ChannelContract {

    @Override
    protected ChannelPair openPair() throws Exception {
        ChildProcess forward = names.closeAfter(ChildProcess.start("cat"));
        ChildProcess backward = names.closeAfter(ChildProcess.start("cat"));
        int max = 1 << 20;
        Channel a = StreamChannels.open(backward.stdout(), forward.stdin(), max, "end a");
        Channel b = StreamChannels.open(forward.stdout(), backward.stdin(), max, "end b");
        return new ChannelPair(a, b);
    }

    // The kit's full-channel test assumes that nothing moves once trySend has failed. Here the channel's reader
    // and writer threads (and cat) keep moving bytes between the queues and the kernel pipes for a moment after
    // that, so a following timed send can legitimately find room. PipeBackpressureIT tests backpressure once
    // the pipeline has settled. (FifoChannel has no such threads and passes the kit's test.)
    @Override
    protected boolean hasBoundedCapacity() {
        return false;
    }

    @Override
    protected Addresses remoteAddresses() {
        return null;
    }
}
