/** ipc4j pipe: Anonymous pipes to child processes and named pipes (FIFOs). */
module org.ipc4j.pipe {
    requires transitive org.ipc4j.api;
    // The native calls are ipc-api's shared layer (org.ipc4j.api.internal.posix), which requires JNA only
    // statically: this module brings JNA into the module graph for it.
    requires com.sun.jna;
    requires org.slf4j;
    exports org.ipc4j.pipe;

    provides org.ipc4j.api.spi.TransportProvider with org.ipc4j.pipe.internal.PipeTransportProvider;
}
