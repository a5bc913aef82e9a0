/** ipc4j pipe: Anonymous pipes to child processes and named pipes (FIFOs). */
module org.ipc4j.pipe {
    requires transitive org.ipc4j.api;
    requires com.sun.jna;
    requires org.slf4j;
    exports org.ipc4j.pipe;
    // JNA builds the proxy of the package-private libc binding reflectively
    opens org.ipc4j.pipe.internal to com.sun.jna;

    provides org.ipc4j.api.spi.TransportProvider with org.ipc4j.pipe.internal.PipeTransportProvider;
}
