package org.ipc4j.mqueue;

import static org.assertj.core.api.Assertions.assertThat;

import org.ipc4j.api.internal.posix.OsConstants;
import org.junit.jupiter.api.Test;

/**
 * The one layout fact of this module: its public priority range is the kernel's. Every struct layout and
 * constant the shared bindings use (mq_attr, timespec, epoll_event, O_*, MQ_PRIO_MAX...) is checked against
 * the C headers by ipc-api's {@code CLayoutTest}.
 */
class MqLayoutTest {
    @Test
    void maxPriorityIsOneBelowMqPrioMax() {
        assertThat(MessageQueue.MAX_PRIORITY + 1L).isEqualTo(OsConstants.MQ_PRIO_MAX);
    }
}
