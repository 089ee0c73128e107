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
    /** Format 2's per-file dictionary, or null: format 1 (the audit table's rows each stand alone). */
    private final TrailDictionary dictionary;
    private final AuditLineCodec.ContentEncoder encoder;
    private long seq;
    private String hash;
    private long markedSeq;
    private String markedHash;
    private TrailDictionary.Mark markedDictionary;

    /** Where the head stood, to {@link #rewindTo} it. */
    record Position(long seq, String hash, TrailDictionary.Mark dictionary) {}

    /** A format 1 chain continuing after {@code seq} whose last hash is {@code hash} ({@code 0, ""} for a new trail). */
    AuditChain(ChainKey key, long seq, String hash) {
        this(key, seq, hash, false);
    }

    /** @param format2 write format 2 lines (call {@link #startFile} at each new file), else format 1 */
    AuditChain(ChainKey key, long seq, String hash, boolean format2) {
        this.key = key;
        this.dictionary = format2 ? new TrailDictionary() : null;
        this.encoder = new AuditLineCodec.ContentEncoder(dictionary);
        this.seq = seq;
        this.hash = hash;
        mark();
    }

    /** A new file begins: format 2 starts its dictionary afresh (the file's first line carries the format mark). */
    void startFile() {
        if (dictionary != null) {
            dictionary.startFile();
        }
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
        markedDictionary = dictionary == null ? null : dictionary.mark();
    }

    /** The head now, to come back to with {@link #rewindTo}. */
    Position position() {
        return new Position(seq, hash, dictionary == null ? null : dictionary.mark());
    }

    /** Moves the head back to {@code p} (an earlier, uncommitted head), leaving the mark where it is. */
    void rewindTo(Position p) {
        this.seq = p.seq();
        this.hash = p.hash();
        if (dictionary != null) {
            dictionary.rewind(p.dictionary());
        }
    }

    /** Moves the head back to the last {@link #mark}. */
    void reset() {
        seq = markedSeq;
        hash = markedHash;
        if (dictionary != null) {
            dictionary.rewind(markedDictionary);
        }
    }
}
