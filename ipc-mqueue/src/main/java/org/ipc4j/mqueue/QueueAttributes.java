package org.ipc4j.mqueue;

/**
 * The attributes of a message queue as the kernel reports them ({@code mq_getattr}). The first two are fixed
 * when the queue is created; the depth changes with every send and receive, by any process, so it is a
 * snapshot.
 *
 * @param maxMessages how many messages the queue holds before a send waits ({@code mq_maxmsg})
 * @param maxMessageSize the largest message in bytes ({@code mq_msgsize})
 * @param currentMessages how many messages were queued at the time of the call ({@code mq_curmsgs})
 */
public record QueueAttributes(long maxMessages, long maxMessageSize, long currentMessages) {
}
