/**
 * JMH benchmarks of the shared-memory ring's hot path, each against Agrona's ring buffers on the same kind
 * of mapped memory in the same run. Run with {@code java -jar ipc4j-bench.jar jmh}; see docs/benchmarks.md.
 */
package org.ipc4j.bench.jmh;
