/** ipc4j shm: Named shared memory and lock-free ring buffers between processes. */
module org.ipc4j.shm {
    requires transitive org.ipc4j.api;
    // The native calls are ipc-api's shared layer (org.ipc4j.api.internal.posix), which requires JNA only
    // statically: this module brings JNA into the module graph for it.
    requires com.sun.jna;
    requires org.slf4j;
    requires java.logging;
    // Only the optional Chronicle view (chronicleBytes()) uses Chronicle: present at compile time, at run time
    // only if the application resolves it (class path, or --add-modules chronicle.bytes,jdk.unsupported).
    requires static chronicle.bytes;
    requires static chronicle.core;
    exports org.ipc4j.shm;

    provides org.ipc4j.api.spi.TransportProvider with org.ipc4j.shm.internal.ShmTransportProvider;
}
