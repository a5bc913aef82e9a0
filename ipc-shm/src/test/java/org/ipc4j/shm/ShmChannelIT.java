package org.ipc4j.shm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.Role;
import org.ipc4j.api.Channel;
import org.ipc4j.api.Ipc;
import org.ipc4j.api.LimitReachedException;
import org.ipc4j.testkit.ChannelContract;
import org.ipc4j.testkit.ChannelPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The transport contract over {@code shm:} channels, in one JVM and across two. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShmChannelIT extends ChannelContract {

    private String name() {
        String name = names.unique("ch");
        names.onCleanup(() -> SharedMemory.unlink(name));
        return name;
    }

    @Override
    protected ChannelPair openPair() throws Exception {
        String name = name();
        Channel a = Ipc.open("shm:" + name + "?capacity=256k");
        Channel b = Ipc.open("shm:" + name + "?capacity=256k");
        return new ChannelPair(a, b);
    }

    @Override
    protected Addresses remoteAddresses() throws Exception {
        String name = name();
        return new Addresses("shm:" + name + "?capacity=1m", "shm:" + name + "?capacity=1m");
    }

    /**
     * A killed peer's side is free again but the session goes on: what this end sends meanwhile waits in the
     * ring for the restarted peer (ShmChannelSessionIT proves it receives it), so a send that finds room
     * succeeds and loses nothing. Receives report the death; a send that must wait for room does too.
     */
    @Override
    protected boolean reportsPeerDeathToSender() {
        return false;
    }

    @Override
    protected Duration peerDeathTimeout() {
        return Duration.ofSeconds(5);
    }

    @Test
    void sidesAreTakenInOrderAndAThirdOpenIsRefused() throws Exception {
        String name = name();
        try (ShmChannel a = (ShmChannel) Ipc.open("shm:" + name);
                ShmChannel b = (ShmChannel) Ipc.open("shm:" + name)) {
            assertThat(a.side()).isEqualTo(Role.A);
            assertThat(b.side()).isEqualTo(Role.B);
            assertThat(a.maxMessageSize()).isEqualTo((1 << 20) / 8);
            assertThatThrownBy(() -> Ipc.open("shm:" + name)).isInstanceOf(LimitReachedException.class)
                    .hasMessageContaining(name).hasMessageContaining("both sides");
            assertThatThrownBy(() -> Ipc.open("shm:" + name + "?role=a")).isInstanceOf(LimitReachedException.class)
                    .hasMessageContaining("side A");
        }
        // both closed cleanly: the session ended, its region and lease are gone
        assertThat(SharedMemory.pathOf(name)).doesNotExist();
        assertThat(ShmChannel.leaseFile(name)).doesNotExist();
        // and a side can be taken again, explicitly, in a fresh session
        try (ShmChannel b = (ShmChannel) Ipc.open("shm:" + name + "?role=b")) {
            assertThat(b.side()).isEqualTo(Role.B);
        }
        assertThat(SharedMemory.pathOf(name)).doesNotExist();
    }

    @Test
    void anExistingChannelKeepsItsOwnCapacity() throws Exception {
        String name = name();
        try (ShmChannel a = (ShmChannel) Ipc.open("shm:" + name + "?capacity=64k");
                ShmChannel b = (ShmChannel) Ipc.open("shm:" + name)) {
            assertThat(b.capacity()).isEqualTo(64 * 1024);
            assertThat(b.maxMessageSize()).isEqualTo(8 * 1024);
            a.send(new byte[8 * 1024]);
            assertThat(b.receive(Duration.ofSeconds(5))).hasSize(8 * 1024);
        }
    }

    @Test
    void addressParametersAreChecked() throws Exception {
        String name = name();
        assertThatThrownBy(() -> Ipc.open("shm:" + name + "?capacity=1000"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("power of two");
        assertThatThrownBy(() -> Ipc.open("shm:" + name + "?capacity=64k&maxmsg=64k"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxMessage");
        assertThatThrownBy(() -> Ipc.open("shm:" + name + "?colour=red"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("colour");
        assertThatThrownBy(() -> Ipc.open("shm:" + name + "?role=c"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("role=c");
        assertThatThrownBy(() -> Ipc.open("shm:" + name + "?mode=open"))
                .isInstanceOf(org.ipc4j.api.NoSuchObjectException.class).hasMessageContaining(name);
        assertThat(Ipc.capability("shm").supported()).isTrue();
    }

    @Test
    void unlinkParameterRemovesTheNameOnClose() throws Exception {
        String name = name();
        Channel a = Ipc.open("shm:" + name + "?unlink=true&capacity=64k");
        assertThat(SharedMemory.pathOf(name)).exists();
        a.close();
        assertThat(SharedMemory.pathOf(name)).doesNotExist();
    }
}
