/**
 * ipc4j's benchmarks: {@link org.ipc4j.bench.BenchMain} is the entry point of the runnable jar (the
 * cross-process comparison of every mechanism, and the JMH benchmarks of the shared-memory ring).
 */
package org.ipc4j.bench;
