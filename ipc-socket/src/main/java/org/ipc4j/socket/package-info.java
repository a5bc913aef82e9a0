/** Unix domain, TCP and UDP socket channels, client and server. */
package org.ipc4j.socket;
