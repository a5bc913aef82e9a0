/** ipc4j semaphore: Named counting semaphores and a crash-aware named mutex via JNA. */
module org.ipc4j.semaphore {
    requires transitive org.ipc4j.api;
    // The native calls are ipc-api's shared layer (org.ipc4j.api.internal.posix), which requires JNA only
    // statically: this module brings JNA into the module graph for it.
    requires com.sun.jna;
    requires org.slf4j;

    exports org.ipc4j.semaphore;

    provides org.ipc4j.api.spi.TransportProvider with org.ipc4j.semaphore.internal.SemaphoreTransportProvider;
}
