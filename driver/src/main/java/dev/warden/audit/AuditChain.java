package dev.warden.audit;

import java.util.HexFormat;

/**
 * The head of a hash chain: the last sequence number and hash. {@link #append} turns an event into its
 * line and advances the head; {@link #mark}/{@link #reset} let a writer roll the head back when a write
 * fails, so a retried event gets the same place in the chain.
 *
 * <p>Not thread-safe: owned by one writer thread.
 */
final class AuditChain {

    private static final HexFormat HEX = HexFormat.of();

    private final ChainKey key;
    private final AuditLineCodec.ContentEncoder encoder = new AuditLineCodec.ContentEncoder();
    private long seq;
    private String hash;
    private long markedSeq;
    private String markedHash;

    /** A chain continuing after {@code seq} whose last hash is {@code hash} ({@code 0, ""} for a new trail). */
    AuditChain(ChainKey key, long seq, String hash) {
        this.key = key;
        this.seq = seq;
        this.hash = hash;
        mark();
    }

    /** The line (newline-terminated) of the next event; the head moves to it. */
    byte[] append(AuditEvent event) {
        int length = encoder.encode(seq + 1, hash, event);
        byte[] content = encoder.buffer();
        byte[] tag = key.mac(content, 0, length);
        seq++;
        hash = HEX.formatHex(tag);
        return AuditLineCodec.line(content, length, hash);
    }

    long seq() {
        return seq;
    }

    String hash() {
        return hash;
    }

    /** The head last {@link #mark marked} committed. */
    long committedSeq() {
        return markedSeq;
    }

    String committedHash() {
        return markedHash;
    }

    /** Remembers the head as committed. */
    void mark() {
        markedSeq = seq;
        markedHash = hash;
    }

    /** Remembers {@code seq, hash} (an earlier head) as committed. */
    void markAt(long seq, String hash) {
        markedSeq = seq;
        markedHash = hash;
    }

    /** Moves the head back to {@code seq, hash} (an earlier, uncommitted head), leaving the mark where it is. */
    void rewindTo(long seq, String hash) {
        this.seq = seq;
        this.hash = hash;
    }

    /** Moves the head back to the last {@link #mark}. */
    void reset() {
        seq = markedSeq;
        hash = markedHash;
    }
}
