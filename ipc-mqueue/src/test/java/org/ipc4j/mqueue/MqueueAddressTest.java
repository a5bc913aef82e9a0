package org.ipc4j.mqueue;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.ipc4j.api.Ipc;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bad {@code mq:} addresses are refused before anything is created, with a message that names the parameter,
 * the bad value and what would be right; the leak check proves that nothing was created.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MqueueAddressTest {
    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    private void refused(String query, String... expected) {
        String address = "mq:/" + Queues.channelName(names, "bad") + query;
        assertThatThrownBy(() -> Ipc.open(address)).as(address).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll(expected);
    }

    @Test
    void theOldMsgsizeIsRefusedWithItsNewName() {
        refused("?msgsize=1k", "msgsize is no longer a parameter", "maxmsg is the largest message in bytes", "depth");
        refused("?shared=true&msgsize=1k", "msgsize is no longer a parameter");
    }

    @Test
    void sizesAndCountsMustBePositive() {
        refused("?maxmsg=0", "maxmsg=0", "a size in bytes from 1");
        refused("?maxmsg=-5", "maxmsg=-5", "a size such as");
        refused("?maxmsg=lots", "maxmsg=lots");
        refused("?depth=0", "depth=0", "a whole number from 1");
        refused("?depth=ten", "depth=ten", "a whole number");
        refused("?shared=true&depth=0", "depth=0");
    }

    @Test
    void parametersThatDoNotApplyAreRefused() {
        refused("?role=c", "role=c", "auto, a or b");
        refused("?shared=true&role=a", "role is for the two-party channel");
        refused("?unlink=true", "unlink does not apply to the two-party channel", "shared=true");
        refused("?maxmsgs=3", "unknown parameter(s) [maxmsgs]");
        refused("?timeout=5s", "unknown parameter(s) [timeout]");
        refused("?shared=maybe", "shared=maybe", "true or false");
        refused("?mode=sometimes", "mode=sometimes", "create, open or openOrCreate");
        refused("?perm=0999", "perm=0999", "octal");
    }

    @Test
    void channelNamesLeaveRoomForTheSuffix() {
        assertThatThrownBy(() -> Ipc.open("mq:/" + "x".repeat(27))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("27 characters").hasMessageContaining("at most 26");
        assertThatThrownBy(() -> Ipc.open("mq:/a/b")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'/'");
    }
}
