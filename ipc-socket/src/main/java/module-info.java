/** ipc4j socket: Unix domain, TCP and UDP socket channels, client and server. */
module org.ipc4j.socket {
    requires transitive org.ipc4j.api;
    requires org.slf4j;
    // exports org.ipc4j.socket; (added with the first public type)
}
