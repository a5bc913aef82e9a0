/** ipc4j bench: Benchmarks: JMH for the shared-memory hot path and a cross-process latency and throughput comparison of every mechanism. */
module org.ipc4j.bench {
    requires transitive org.ipc4j.api;

    // exports org.ipc4j.bench; (added with the first public type)
}
