/** Benchmarks: JMH for the shared-memory hot path and a cross-process latency and throughput comparison of every mechanism. */
package org.ipc4j.bench;
