/** Anonymous pipes to child processes and named pipes (FIFOs). */
package org.ipc4j.pipe;
