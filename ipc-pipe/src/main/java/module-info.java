/** ipc4j pipe: Anonymous pipes to child processes and named pipes (FIFOs). */
module org.ipc4j.pipe {
    requires transitive org.ipc4j.api;
    requires com.sun.jna;
    requires org.slf4j;
    // exports org.ipc4j.pipe; (added with the first public type)
}
