/** ipc4j mqueue: POSIX message queues via JNA: priorities, timeouts, non-blocking and asynchronous receive. */
module org.ipc4j.mqueue {
    requires transitive org.ipc4j.api;
    requires com.sun.jna;
    requires org.slf4j;
    exports org.ipc4j.mqueue;

    // JNA binds the native methods and proxies of the internal package reflectively.
    opens org.ipc4j.mqueue.internal to com.sun.jna;

    provides org.ipc4j.api.spi.TransportProvider with org.ipc4j.mqueue.internal.MqueueTransportProvider;
}
