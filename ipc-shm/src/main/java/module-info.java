/** ipc4j shm: Named shared memory and lock-free ring buffers between processes. */
module org.ipc4j.shm {
    requires transitive org.ipc4j.api;
    // The native calls are ipc-api's shared layer (org.ipc4j.api.internal.posix), which requires JNA only
    // statically: this module brings JNA into the module graph for it.
    requires com.sun.jna;
    requires org.slf4j;
    requires java.logging;
    // Chronicle (an automatic module) uses sun.misc.Unsafe; requiring it here puts it in the module graph
    requires jdk.unsupported;
    requires transitive chronicle.bytes;
    requires chronicle.core;
    exports org.ipc4j.shm;

    provides org.ipc4j.api.spi.TransportProvider with org.ipc4j.shm.internal.ShmTransportProvider;
}
