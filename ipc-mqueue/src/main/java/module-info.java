/** ipc4j mqueue: POSIX message queues via JNA: priorities, timeouts, non-blocking and asynchronous receive. */
module org.ipc4j.mqueue {
    requires transitive org.ipc4j.api;
    // The native calls are ipc-api's shared layer (org.ipc4j.api.internal.posix), which requires JNA only
    // statically: this module brings JNA into the module graph for it.
    requires com.sun.jna;
    requires org.slf4j;
    exports org.ipc4j.mqueue;

    provides org.ipc4j.api.spi.TransportProvider with org.ipc4j.mqueue.internal.MqueueTransportProvider;
}
