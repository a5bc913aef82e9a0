/**
 * The cross-process comparison: {@link org.ipc4j.bench.harness.Comparison} runs each
 * {@link org.ipc4j.bench.harness.Mechanism} between this process and a child JVM
 * ({@link org.ipc4j.bench.harness.BenchChild}) with the same {@link org.ipc4j.bench.harness.Driver}, and
 * {@link org.ipc4j.bench.harness.ConsoleReport} / {@link org.ipc4j.bench.harness.HtmlReport} render the
 * {@link org.ipc4j.bench.harness.Results}. See docs/benchmarks.md.
 */
package org.ipc4j.bench.harness;
