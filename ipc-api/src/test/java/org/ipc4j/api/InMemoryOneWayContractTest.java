package org.ipc4j.api;

import org.ipc4j.testkit.InMemoryOneWay;
import org.ipc4j.testkit.OneWayContract;
import org.ipc4j.testkit.OneWayPair;

/** The reference one-way ends pass the contract: it asks nothing correct ends cannot do. */
class InMemoryOneWayContractTest extends OneWayContract {
    @Override
    protected OneWayPair openPair() {
        return InMemoryOneWay.pair(16, 64 * 1024);
    }

    @Override
    protected int capacity() {
        return 16;
    }

    /** In memory, the receiver's close is its death. */
    @Override
    protected boolean killReceiver(OneWayPair pair) throws Exception {
        pair.receiver().close();
        return true;
    }
}
