/**
 * ipc4j's one native layer over the C library, shared by ipc-pipe, ipc-mqueue, ipc-shm and ipc-semaphore
 * (and exported to those modules only). Internal: not an API.
 *
 * <ul>
 *   <li>{@link org.ipc4j.api.internal.posix.NativeSupport}: the door. Whether each group of functions can be
 *       called here, probed once, never throwing; {@code require} gives an
 *       {@link org.ipc4j.api.UnsupportedPlatformException} with the reason. {@code jnaUnavailableReason} asks
 *       about JNA alone, for what needs no C binding (a mapped buffer's address, on any OS).</li>
 *   <li>The bindings, each bound on first use, so that using one mechanism binds nothing of another:
 *       {@link org.ipc4j.api.internal.posix.Libc} (POSIX calls of every supported system),
 *       {@link org.ipc4j.api.internal.posix.LinuxCalls} (epoll, posix_fallocate and fallocate),
 *       {@link org.ipc4j.api.internal.posix.MqCalls}, {@link org.ipc4j.api.internal.posix.SemCalls} and
 *       {@link org.ipc4j.api.internal.posix.Futex} (shared futexes, the shared-memory doorbell).
 *       Hot calls are directly mapped with primitive arguments and {@code long} addresses; variadic
 *       functions go through JNA interface mappings declared with varargs.</li>
 *   <li>{@link org.ipc4j.api.internal.posix.OsConstants} and {@link org.ipc4j.api.internal.posix.Structs}:
 *       flag values per OS and struct layouts, checked against the C headers in a test.</li>
 *   <li>{@link org.ipc4j.api.internal.posix.NativeErrors}, {@link org.ipc4j.api.internal.posix.ErrnoHints},
 *       {@link org.ipc4j.api.internal.posix.Limit}: errno to typed exception, with each mechanism's
 *       knowledge (the limit and how to raise it) as data.</li>
 *   <li>{@link org.ipc4j.api.internal.posix.InUseGuard}: a handle several threads use while another may
 *       close it; {@link org.ipc4j.api.internal.posix.Poll}: {@code poll(2)} in slices;
 *       {@link org.ipc4j.api.internal.posix.Scratch}: per-thread argument memory.</li>
 * </ul>
 *
 * <p>JNA is an optional dependency of ipc-api ({@code requires static com.sun.jna}): the modules that use
 * this package depend on JNA themselves, and ipc-socket, which does not, never loads it. Classes here that
 * touch JNA are reached only after {@code NativeSupport} found JNA present; {@code OsConstants},
 * {@code Structs}, {@code NativeErrors}, {@code ErrnoHints} and {@code InUseGuard} are pure Java. Octal
 * file modes are {@link org.ipc4j.api.internal.FileModes}, outside this package, so that ipc-socket uses
 * them too.
 */
package org.ipc4j.api.internal.posix;
