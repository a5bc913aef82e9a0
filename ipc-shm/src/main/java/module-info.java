/** ipc4j shm: Named shared memory and lock-free ring buffers between processes. */
module org.ipc4j.shm {
    requires transitive org.ipc4j.api;
    requires com.sun.jna;
    requires org.slf4j;
    requires transitive chronicle.bytes;
    requires chronicle.core;
    // exports org.ipc4j.shm; (added with the first public type)
}
