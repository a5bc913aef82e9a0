/** POSIX message queues via JNA: priorities, timeouts, non-blocking and asynchronous receive. */
package org.ipc4j.mqueue;
