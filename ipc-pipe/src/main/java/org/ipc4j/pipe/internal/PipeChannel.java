package org.ipc4j.pipe.internal;

import org.ipc4j.api.Receiver;
import org.ipc4j.api.Sender;
import org.ipc4j.api.internal.DuplexChannel;

/**
 * A duplex channel made of a pipe in each direction: a sending end towards the peer and a receiving end from
 * it ({@link FdSendEnd}/{@link FdReceiveEnd} over descriptors, {@link StreamSendEnd}/{@link StreamReceiveEnd}
 * over blocking streams). Closing it closes both ends, which the peer sees as end of file.
 */
public final class PipeChannel extends DuplexChannel<Sender, Receiver> {
    private final String name;

    /** A channel over {@code out} and {@code in}, which it owns from now on. */
    public PipeChannel(String name, Sender out, Receiver in) {
        super(out, in);
        this.name = name;
    }

    @Override
    public String toString() {
        return "PipeChannel[" + name + (isOpen() ? "" : ", closed") + "]";
    }
}
