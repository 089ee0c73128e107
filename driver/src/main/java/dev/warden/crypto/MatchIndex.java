package dev.warden.crypto;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The keyed n-gram index of one column ({@code match: true}): the tokens stored in the companion column
 * {@code <column>_match} for a value, and the tokens a LIKE pattern's literal text must all be found among.
 *
 * <p>Scheme. The value is folded code point by code point with {@link Character#toLowerCase(int)} (one code
 * point to one, so folding keeps positions), padded with one sentinel code point U+0000 at each end (PostgreSQL
 * text can never hold U+0000, so the sentinel marks the start and the end unambiguously) and cut into trigrams
 * of code points, as pg_trgm decomposes words (F. Teodor Sigaev, O. Bartunov, {@code contrib/pg_trgm}). Each
 * trigram becomes a token: the first 8 bytes of HMAC-SHA256 under the column's own key, as a signed long; the
 * stored index is the set of distinct tokens, sorted. This is a blind index in the sense of Paragon's
 * CipherSweet ("blind indexes", truncated keyed hashes of transformed plaintext) applied to n-grams, as
 * CipherStash's match index does (keyed n-gram tokens, containment queries).
 *
 * <p>Why the answers stay exact: a row matches {@code col LIKE p} only if every literal run of {@code p}
 * appears in the value, so every trigram of each folded run (with the sentinel where the run is anchored to
 * the start or end of the pattern) is among the value's tokens: the index never misses a row. It does match
 * rows that do not match (case, order of runs, token collisions), which the engine removes by evaluating the
 * pattern on the decrypted value.
 *
 * <h2>Security guarantees</h2>
 * Tokens are keyed: without the column's key, nobody can compute the token of a chosen trigram. The key is
 * derived from the keyset's match key and the column's name ({@link WardenKeyset#matchIndex}); it is never an
 * encryption key. HMAC-SHA256 from the JDK is the only primitive.
 *
 * <h2>Warning</h2>
 * The index reveals to the database, per row, how many distinct trigrams the value has, and which rows share
 * trigrams (equal tokens): frequency analysis over many rows can recover common trigrams, and each query's
 * tokens tell which rows contain its text. See docs/security-model.md.
 *
 * <p>Immutable and thread-safe: each thread uses its own keyed {@link Mac}.
 */
public final class MatchIndex {

    /** What the column's key is derived from, with the column's name appended. */
    static final String KEY_LABEL = "warden-match/1:";

    /** The padding code point at both ends of a value; PostgreSQL text cannot contain it. */
    public static final int SENTINEL = 0;

    /** Code points per n-gram. */
    public static final int N = 3;

    private static final long[] NONE = new long[0];

    private final PerThread<Mac> macs;

    MatchIndex(byte[] key) {
        SecretKeySpec spec = new SecretKeySpec(key.clone(), "HmacSHA256");
        this.macs = new PerThread<>(() -> {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(spec);
                return mac;
            } catch (NoSuchAlgorithmException | InvalidKeyException e) {
                throw new IllegalStateException("HmacSHA256 is not available", e);
            }
        });
    }

    /** The folding the index applies to every code point, values and patterns alike. */
    public static int fold(int codePoint) {
        return Character.toLowerCase(codePoint);
    }

    /** The tokens to store for {@code value}: distinct, sorted; empty for a value of no trigram (""), never null. */
    public long[] valueTokens(String value) {
        int[] folded = value.codePoints().map(MatchIndex::fold).toArray();
        int[] padded = new int[folded.length + 2];
        padded[0] = SENTINEL;
        System.arraycopy(folded, 0, padded, 1, folded.length);
        padded[padded.length - 1] = SENTINEL;
        return tokens(padded, null);
    }

    /**
     * The tokens a value must hold to contain {@code run} (code points, not yet folded): its trigrams, with a
     * sentinel before it when it must start the value and after it when it must end it. When {@code usable} is
     * not null, only trigrams whose code points are all usable are kept (ILIKE: code points whose case folding
     * the database may do differently are left out, so the index never misses a row). Distinct, sorted.
     */
    public long[] runTokens(int[] run, boolean atStart, boolean atEnd, java.util.function.IntPredicate usable) {
        int extra = (atStart ? 1 : 0) + (atEnd ? 1 : 0);
        int[] padded = new int[run.length + extra];
        int at = 0;
        if (atStart) padded[at++] = SENTINEL;
        for (int cp : run) padded[at++] = fold(cp);
        if (atEnd) padded[at] = SENTINEL;
        if (usable == null) return tokens(padded, null);
        boolean[] ok = new boolean[padded.length];
        for (int i = 0; i < padded.length; i++) {
            int source = i - (atStart ? 1 : 0);
            ok[i] = source < 0 || source >= run.length || usable.test(run[source]);
        }
        return tokens(padded, ok);
    }

    private long[] tokens(int[] codePoints, boolean[] usable) {
        int count = codePoints.length - N + 1;
        if (count <= 0) return NONE;
        long[] out = new long[count];
        int kept = 0;
        ByteBuffer gram = ByteBuffer.allocate(4 * N);
        Mac mac = macs.acquire();
        try {
            for (int i = 0; i < count; i++) {
                if (usable != null && !(usable[i] && usable[i + 1] && usable[i + 2])) continue;
                gram.clear();
                for (int j = 0; j < N; j++) gram.putInt(codePoints[i + j]);
                byte[] tag = mac.doFinal(gram.array());
                out[kept++] = ByteBuffer.wrap(tag, 0, 8).getLong();
            }
        } finally {
            macs.release(mac);
        }
        long[] sorted = Arrays.copyOf(out, kept);
        Arrays.sort(sorted);
        return distinct(sorted);
    }

    private static long[] distinct(long[] sorted) {
        if (sorted.length < 2) return sorted;
        int n = 1;
        for (int i = 1; i < sorted.length; i++) if (sorted[i] != sorted[n - 1]) sorted[n++] = sorted[i];
        return n == sorted.length ? sorted : Arrays.copyOf(sorted, n);
    }

    /** The tokens as PostgreSQL's array text, e.g. {@code {-12,34}} (a literal of type bigint[]). */
    public static String arrayText(long[] tokens) {
        StringBuilder b = new StringBuilder(2 + tokens.length * 21);
        b.append('{');
        for (int i = 0; i < tokens.length; i++) {
            if (i > 0) b.append(',');
            b.append(tokens[i]);
        }
        return b.append('}').toString();
    }

    @Override
    public String toString() {
        return "MatchIndex[trigrams, HMAC-SHA256/64]";
    }

    static {
        // fail early if the JDK lacks the primitive (it is mandatory in every Java SE implementation)
        try {
            Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
