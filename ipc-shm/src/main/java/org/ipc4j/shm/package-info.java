/** Named shared memory and lock-free ring buffers between processes. */
package org.ipc4j.shm;
