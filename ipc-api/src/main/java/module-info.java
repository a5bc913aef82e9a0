/**
 * The common API of ipc4j: message {@link org.ipc4j.api.Channel}s, {@link org.ipc4j.api.Sync} objects,
 * the error model, named-object options, the stream framing format and the transport SPI.
 */
module org.ipc4j.api {
    // The native layer only; the modules that use it require JNA themselves (see internal.posix).
    requires static com.sun.jna;
    // LazyLog only; the modules that log require SLF4J themselves.
    requires static org.slf4j;

    exports org.ipc4j.api;
    exports org.ipc4j.api.framing;
    exports org.ipc4j.api.spi;
    exports org.ipc4j.api.internal to
            org.ipc4j.pipe, org.ipc4j.mqueue, org.ipc4j.shm, org.ipc4j.socket, org.ipc4j.semaphore;
    // Not to org.ipc4j.socket: it stays free of JNA.
    exports org.ipc4j.api.internal.posix to
            org.ipc4j.pipe, org.ipc4j.mqueue, org.ipc4j.shm, org.ipc4j.semaphore;
    // JNA binds the direct-mapped natives and proxies the variadic interfaces reflectively.
    opens org.ipc4j.api.internal.posix to com.sun.jna;

    uses org.ipc4j.api.spi.TransportProvider;
    // LazyLog looks for an SLF4J binding without initialising SLF4J.
    uses org.slf4j.spi.SLF4JServiceProvider;
}
