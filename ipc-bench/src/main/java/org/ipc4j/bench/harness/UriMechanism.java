package org.ipc4j.bench.harness;

import java.util.function.Function;
import org.ipc4j.api.Capability;
import org.ipc4j.api.Channel;
import org.ipc4j.api.Ipc;

/**
 * A mechanism reached through {@link Ipc#open(String)}: the parent opens one address, the child another
 * (for example a listening and a connecting socket), both made from a fresh name.
 */
public class UriMechanism extends Mechanism {
    private final String scheme;
    private final Function<String, String> parentUri;
    private final Function<String, String> childUri;
    private final int maxSize;
    private final String maxSizeReason;

    /**
     * @param parentUri makes the parent's address from a fresh name
     * @param childUri makes the child's address from the same name
     * @param maxSize largest message carried (Integer.MAX_VALUE when unlimited)
     * @param maxSizeReason why larger messages are not
     */
    public UriMechanism(String id, String scheme, String title, String sharesData, String needsSync, String direction,
            String typicalUse, Function<String, String> parentUri, Function<String, String> childUri, int maxSize,
            String maxSizeReason) {
        super(id, title, sharesData, needsSync, direction, typicalUse);
        this.scheme = scheme;
        this.parentUri = parentUri;
        this.childUri = childUri;
        this.maxSize = maxSize;
        this.maxSizeReason = maxSizeReason;
    }

    public String scheme() {
        return scheme;
    }

    @Override
    public String unavailableReason() {
        Capability c = Ipc.capability(scheme);
        return c.supported() ? null : c.reason();
    }

    @Override
    public String sizeLimit(int size) {
        return size > maxSize ? maxSizeReason : null;
    }

    /** Makes a fresh name; sockets override to find a free port. */
    protected String freshName() throws Exception {
        return MappedFiles.uniqueName(id().replaceAll("[^a-z]", ""));
    }

    /** Removes what the name left behind (files) after the run; default nothing. */
    protected void cleanUp(String name) {
    }

    @Override
    public Setup setUp() throws Exception {
        String name = freshName();
        return new Setup() {
            @Override
            public String childAddress() {
                return childUri.apply(name);
            }

            @Override
            public Link openParent() throws Exception {
                return link(Ipc.open(parentUri.apply(name)));
            }

            @Override
            public void close() {
                cleanUp(name);
            }
        };
    }

    @Override
    public Link openChild(String address) throws Exception {
        return link(Ipc.open(address));
    }

    /** The link over an opened channel: the ByteBuffer forms unless a variant says otherwise. */
    protected Link link(Channel channel) {
        return new ChannelLink(channel, null);
    }
}
