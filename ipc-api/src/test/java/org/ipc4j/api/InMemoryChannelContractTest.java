package org.ipc4j.api;

import org.ipc4j.testkit.ChannelContract;
import org.ipc4j.testkit.ChannelPair;
import org.ipc4j.testkit.InMemoryChannel;

/** The reference channel passes the contract: the contract asks nothing a correct channel cannot do. */
class InMemoryChannelContractTest extends ChannelContract {
    @Override
    protected ChannelPair openPair() {
        return InMemoryChannel.pair(64, 64 * 1024);
    }

    @Override
    protected Addresses remoteAddresses() {
        return null;
    }

    @Override
    protected int capacity() {
        return 64;
    }

    /** In memory, the peer's close is its death. */
    @Override
    protected boolean killPeer(ChannelPair pair) throws Exception {
        pair.b().close();
        return true;
    }
}
