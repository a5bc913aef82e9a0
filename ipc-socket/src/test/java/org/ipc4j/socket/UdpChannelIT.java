package org.ipc4j.socket;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.ipc4j.testkit.ChannelContract;
import org.ipc4j.testkit.ChannelPair;

/**
 * The channel contract over UDP on loopback. UDP cannot report a peer's close or death and has no
 * backpressure, so those tests are skipped; the ordering test sends fewer messages so that a burst fits the
 * receiver's socket buffer (UDP drops what does not fit, by design).
 */
class UdpChannelIT extends ChannelContract {

    @Override
    protected ChannelPair openPair() throws Exception {
        UdpChannel a = UdpChannel.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), UdpChannel.DEFAULT_MAX_MESSAGE);
        UdpChannel b = UdpChannel.connect(null, a.localAddress(), UdpChannel.DEFAULT_MAX_MESSAGE);
        // the listener learns its peer from the first datagram
        b.send(new byte[] {42});
        ByteBuffer hello = ByteBuffer.allocate(1);
        if (a.receive(hello, Duration.ofSeconds(10)) != 1) {
            throw new AssertionError("handshake datagram did not arrive");
        }
        return new ChannelPair(a, b);
    }

    @Override
    protected Addresses remoteAddresses() throws Exception {
        try (DatagramSocket x = new DatagramSocket(0, InetAddress.getLoopbackAddress());
             DatagramSocket y = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            int local = x.getLocalPort();
            int remote = y.getLocalPort();
            x.close();
            y.close();
            return new Addresses("udp://127.0.0.1:" + remote + "?bind=127.0.0.1:" + local,
                    "udp://127.0.0.1:" + local + "?bind=127.0.0.1:" + remote);
        }
    }

    @Override
    protected boolean reportsPeerClose() {
        return false;
    }

    @Override
    protected boolean hasBoundedCapacity() {
        return false;
    }

    @Override
    protected int messageCount() {
        return 300;
    }
}
