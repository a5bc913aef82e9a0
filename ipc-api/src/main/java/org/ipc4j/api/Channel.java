package org.ipc4j.api;

/**
 * A duplex message endpoint: this process sends to and receives from one peer. Sending and receiving are
 * independent and may be done by two threads at once; several threads sending (or receiving) on the same
 * channel must be serialised by the caller unless the implementation says otherwise.
 *
 * <p>Open one with {@link Ipc#open(String)} or with the concrete type of a transport module.
 */
public interface Channel extends Sender, Receiver {

    /** The largest message in bytes that can be sent and received on this channel. */
    @Override
    int maxMessageSize();
}
