package org.ipc4j.pipe;

import java.time.Duration;
import org.ipc4j.api.Channel;
import org.ipc4j.testkit.OneWayContract;
import org.ipc4j.testkit.OneWayPair;

/**
 * The one-way contract over a framed {@link ChildProcess}'s two pipe ends, looped through a {@code cat}
 * child: what the channel sends into the child's standard input comes back out of its standard output.
 * Sender and receiver are the one channel, so closing either closes both (the receiver cannot see the
 * sender's close as the peer's). Killing {@code cat} is the receiver's death: the next send must throw,
 * not write into a pipe nobody reads.
 */
class ChildProcessOneWayIT extends OneWayContract {
    private ChildProcess cat;

    @Override
    protected OneWayPair openPair() throws Exception {
        cat = ChildProcess.builder("cat").framed(true).closeGrace(Duration.ofSeconds(2)).start();
        Channel channel = cat.channel();
        return new OneWayPair(channel, channel, cat);
    }

    @Override
    protected boolean reportsSenderClose() {
        return false;
    }

    @Override
    protected boolean killReceiver(OneWayPair pair) throws Exception {
        cat.kill();
        return cat.join(patience());
    }
}
