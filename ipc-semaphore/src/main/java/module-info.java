/** ipc4j semaphore: Named counting semaphores and a crash-aware named mutex via JNA. */
module org.ipc4j.semaphore {
    requires transitive org.ipc4j.api;
    requires com.sun.jna;
    requires org.slf4j;

    exports org.ipc4j.semaphore;

    provides org.ipc4j.api.spi.TransportProvider with org.ipc4j.semaphore.internal.SemaphoreTransportProvider;
}
