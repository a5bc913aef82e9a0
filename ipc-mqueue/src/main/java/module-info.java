/** ipc4j mqueue: POSIX message queues via JNA: priorities, timeouts, non-blocking and asynchronous receive. */
module org.ipc4j.mqueue {
    requires transitive org.ipc4j.api;
    requires com.sun.jna;
    requires org.slf4j;
    // exports org.ipc4j.mqueue; (added with the first public type)
}
