/**
 * The common API of ipc4j: message {@link org.ipc4j.api.Channel}s, {@link org.ipc4j.api.Sync} objects,
 * the error model, named-object options, the stream framing format and the transport SPI.
 */
module org.ipc4j.api {
    exports org.ipc4j.api;
    exports org.ipc4j.api.framing;
    exports org.ipc4j.api.spi;
    exports org.ipc4j.api.internal to
            org.ipc4j.pipe, org.ipc4j.mqueue, org.ipc4j.shm, org.ipc4j.socket, org.ipc4j.semaphore;

    uses org.ipc4j.api.spi.TransportProvider;
}
