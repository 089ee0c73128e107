package dev.warden.audit;


/**
 * The head of a hash chain: the last sequence number and hash. {@link #append} turns an event into its
 * line and advances the head; {@link #mark}/{@link #reset} let a writer roll the head back when a write
 * fails, so a retried event gets the same place in the chain.
 *
 * <p>Not thread-safe: owned by one writer thread.
 */
final class AuditChain {

    private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

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
        hash = hex(tag);
        return AuditLineCodec.line(content, length, hash);
    }

    /**
     * Lower-case hex, as {@link java.util.HexFormat} gives it: written here into one byte array, since HexFormat's
     * per-character appends were a sixth of the writer thread's time.
     */
    @SuppressWarnings("deprecation") // String(byte[], int, int, int): the bytes are ASCII
    static String hex(byte[] tag) {
        byte[] out = new byte[tag.length * 2];
        for (int i = 0, j = 0; i < tag.length; i++) {
            out[j++] = HEX_DIGITS[(tag[i] >> 4) & 0xF];
            out[j++] = HEX_DIGITS[tag[i] & 0xF];
        }
        return new String(out, 0, 0, out.length);
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
