/** Named counting semaphores and a crash-aware named mutex via JNA. */
package org.ipc4j.semaphore;
