package org.ipc4j.shm;

import org.ipc4j.api.Role;
import org.ipc4j.shm.internal.RingMemory;
import org.ipc4j.shm.internal.RingSlots;

/**
 * How one end of a {@link ShmChannel} judges its partner: from the partner's slots in the two rings (its
 * consumer slot in the ring towards it, its producer slot in the ring from it). A slot left cleanly says
 * "closed its end"; a slot whose process no longer runs says "died". The partner counts only once it has
 * been there in this session: present when this end took its side, or attached since (its slot's
 * generation changed). Slots left by the ends of an earlier, crashed session therefore never make this end
 * report its partner gone before one has come. Left open: a partner that takes its side, attaches, and
 * closes again, all while this end is still opening (between its lease and its look at the slots), is not
 * seen; this end then waits for a partner as if none had come.
 */
final class ChannelPeers implements PeerWatch {
    private static final long GENERATION = 0xFFFF_FFFF_0000_0000L;

    private final RingMemory toPartner;
    private final RingMemory fromPartner;
    private final Role partner;
    private final long consumerAtOpen;
    private final long producerAtOpen;
    private volatile boolean seen;

    ChannelPeers(RingMemory toPartner, RingMemory fromPartner, Role partner, boolean partnerPresentAtOpen) {
        this.toPartner = toPartner;
        this.fromPartner = fromPartner;
        this.partner = partner;
        this.consumerAtOpen = RingSlots.consumerOwner(toPartner) & GENERATION;
        this.producerAtOpen = RingSlots.producerOwner(fromPartner) & GENERATION;
        // a partner that took its side after ours and attached before we looked is alive in its slot now
        this.seen = partnerPresentAtOpen || RingSlots.producersState(fromPartner) == RingSlots.SlotState.ALIVE;
    }

    /** Whether the partner has been there in this session. */
    private boolean seen() {
        if (seen) {
            return true;
        }
        if ((RingSlots.consumerOwner(toPartner) & GENERATION) != consumerAtOpen
                || (RingSlots.producerOwner(fromPartner) & GENERATION) != producerAtOpen) {
            seen = true;
        }
        return seen;
    }

    @Override
    public String receiverClosed() {
        return RingSlots.consumerDetached(toPartner) && seen() ? closed() + "; it receives nothing more" : null;
    }

    @Override
    public String receiverGone() {
        if (!seen() || RingSlots.consumerState(toPartner) != RingSlots.SlotState.GONE) {
            return null;
        }
        return RingSlots.consumerDetached(toPartner) ? closed() + "; it receives nothing more"
                : died(RingSlots.consumerHolder(toPartner)) + "; its ring is full (a restarted peer reads it)";
    }

    @Override
    public String sendersGone() {
        if (!seen() || RingSlots.producersState(fromPartner) != RingSlots.SlotState.GONE) {
            return null;
        }
        return (RingSlots.producerDetached(fromPartner) ? closed() : died(RingSlots.producerHolders(fromPartner)))
                + "; every message it sent was received";
    }

    private String closed() {
        return "the peer (side " + partner + ") closed its end";
    }

    private String died(String holder) {
        return "the peer (side " + partner + ", " + holder + ") died without closing its end";
    }
}
