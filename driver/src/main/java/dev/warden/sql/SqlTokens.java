package dev.warden.sql;

import java.util.Arrays;
import java.util.Locale;

/**
 * The tokens of a SQL text as {@link SqlLexer} reads them (see {@link SqlLexer#tokens}): kind and position in the
 * text of each, whitespace and comments left out. Every component that reads SQL text (the analyzer, the
 * schema-change reader, the gateway's statement splitting, statement kinds and parameter conversion) works on
 * these, so a rule of PostgreSQL's lexer (where a comment, a string, a quoted name or a dollar quote ends) lives in
 * one place. Kept in parallel arrays, not one object per token: the gateway reads them on its hot path.
 * Immutable and thread-safe.
 */
public final class SqlTokens {

    /** What a token is. */
    public enum Kind {
        /** A keyword or an unquoted identifier (PostgreSQL's lexer does not tell them apart either). */
        WORD,
        /** {@code "..."} or {@code U&"..."}, with its quotes. */
        QUOTED_IDENTIFIER,
        /** {@code '...'}, {@code E'...'}, {@code N'...'}, {@code B'...'}, {@code X'...'} or {@code U&'...'}. */
        STRING,
        /** {@code $$...$$} or {@code $tag$...$tag$}. */
        DOLLAR_STRING,
        /** An integer or decimal constant, with its exponent ({@code 1}, {@code 1.5e3}, {@code 0x1F}, {@code 1_000}). */
        NUMBER,
        /** {@code $n}; in {@link SqlLexer.Dialect#JDBC} text also a lone {@code ?}. */
        PARAMETER,
        /**
         * A run of operator characters as PostgreSQL groups them ({@code <=}, {@code ->>}, {@code ?|} in server
         * text), {@code ::}, and {@code ??} (pgjdbc's escaped {@code ?}) in JDBC text.
         */
        OPERATOR,
        /** One of {@code ( ) [ ] , ; . :} or any other single character. */
        PUNCTUATION
    }

    private static final Kind[] KINDS = Kind.values();
    /** Set in {@code kinds} on a semicolon that ends a statement. */
    private static final int SEPARATOR = 0x40;

    private final String text;
    private final byte[] kinds;
    private final int[] starts;
    private final int[] ends;
    private final int count;
    private final boolean unterminated;

    SqlTokens(String text, byte[] kinds, int[] starts, int[] ends, int count, boolean unterminated) {
        this.text = text;
        this.kinds = kinds;
        this.starts = starts;
        this.ends = ends;
        this.count = count;
        this.unterminated = unterminated;
    }

    /** The text these tokens were read from. */
    public String text() {
        return text;
    }

    public int count() {
        return count;
    }

    public Kind kind(int i) {
        return KINDS[kinds[check(i)] & ~SEPARATOR];
    }

    /**
     * True when token {@code i} is a semicolon that ends a statement: one at the top level, not one inside a
     * {@code CREATE FUNCTION ... BEGIN ATOMIC ... END} body. Statements split here are the statements
     * {@link SqlLexer#lex} counts.
     */
    public boolean endsStatement(int i) {
        return (kinds[check(i)] & SEPARATOR) != 0;
    }

    /** Offset in {@link #text()} of the first character of token {@code i}. */
    public int start(int i) {
        return starts[check(i)];
    }

    /** Offset in {@link #text()} just after token {@code i}. */
    public int end(int i) {
        return ends[check(i)];
    }

    /** The token's text as written. */
    public String text(int i) {
        return text.substring(start(i), end(i));
    }

    /** True when token {@code i} is written exactly {@code s} (a punctuation or operator, say). */
    public boolean is(int i, String s) {
        return end(i) - start(i) == s.length() && text.startsWith(s, start(i));
    }

    /** True when token {@code i} is a {@link Kind#WORD} equal to {@code lowerCaseWord} ignoring case. */
    public boolean isWord(int i, String lowerCaseWord) {
        return kind(i) == Kind.WORD && end(i) - start(i) == lowerCaseWord.length()
                && text.regionMatches(true, start(i), lowerCaseWord, 0, lowerCaseWord.length());
    }

    /** The text of token {@code i} in lower case (for words: how PostgreSQL folds an unquoted name, near enough). */
    public String lower(int i) {
        return text(i).toLowerCase(Locale.ROOT);
    }

    /**
     * True when the text ends inside a string, a quoted identifier, a dollar quote or a block comment: the lexer
     * then ran that token (or comment) to the end of the text, as it never fails.
     */
    public boolean unterminated() {
        return unterminated;
    }

    private int check(int i) {
        if (i < 0 || i >= count) throw new IndexOutOfBoundsException("token " + i + " of " + count);
        return i;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < count; i++) {
            if (i > 0) b.append(", ");
            b.append(kind(i)).append(' ').append(text(i));
        }
        return b.append(']').toString();
    }

    /** Collects the tokens of one lexing pass; operator characters are grouped here, as PostgreSQL groups them. */
    static final class Builder {
        /** PostgreSQL's operator characters (server text; in JDBC text {@code ?} is a parameter instead). */
        private static final String OPERATOR_CHARS = "+-*/<>=~!@#%^&|`?";
        /** An operator ending in + or - keeps it only when it holds one of these (PostgreSQL's rule). */
        private static final String SPECIAL_OPERATOR_CHARS = "~!@#%^&|`?";

        private final String text;
        private final int limit;
        private byte[] kinds = new byte[16];
        private int[] starts = new int[16];
        private int[] ends = new int[16];
        private int count;
        private boolean unterminated;
        /** The last token is an operator that the next adjacent operator character may extend. */
        private boolean openOperator;

        Builder(String text, int limit) {
            this.text = text;
            this.limit = limit;
        }

        static boolean isOperatorChar(char c) {
            return OPERATOR_CHARS.indexOf(c) >= 0;
        }

        /** True once {@code limit} tokens are complete: the lexing pass may stop. */
        boolean full() {
            return count > limit;
        }

        void add(Kind kind, int start, int end) {
            closeOperator();
            append(kind, start, end);
        }

        /** A single character outside every other token: an operator character, {@code :} or punctuation. */
        void character(int at) {
            char c = text.charAt(at);
            if (OPERATOR_CHARS.indexOf(c) >= 0) {
                if (openOperator && ends[count - 1] == at) {
                    ends[count - 1] = at + 1;
                } else {
                    closeOperator();
                    append(Kind.OPERATOR, at, at + 1);
                    openOperator = true;
                }
                return;
            }
            closeOperator();
            if (c == ':' && count > 0 && ends[count - 1] == at && (kinds[count - 1] & ~SEPARATOR) == Kind.PUNCTUATION.ordinal()
                    && text.charAt(at - 1) == ':') {
                kinds[count - 1] = (byte) Kind.OPERATOR.ordinal();  // :: (a cast), not two colons
                ends[count - 1] = at + 1;
                return;
            }
            append(Kind.PUNCTUATION, at, at + 1);
        }

        /** The semicolon just added ends a statement. */
        void endsStatement() {
            kinds[count - 1] |= SEPARATOR;
        }

        void unterminated() {
            unterminated = true;
        }

        SqlTokens build() {
            closeOperator();
            int n = Math.min(count, limit);
            return new SqlTokens(text, kinds, starts, ends, n, unterminated);
        }

        /**
         * Ends the open operator. As in PostgreSQL, a multi-character operator cannot end in + or - unless it holds
         * one of {@code ~ ! @ # % ^ & | ` ?}: {@code *-} is {@code *} then {@code -}, so {@code 2*-1} means
         * {@code 2 * (-1)}.
         */
        private void closeOperator() {
            if (!openOperator) return;
            openOperator = false;
            int k = count - 1;
            int start = starts[k];
            int end = ends[k];
            if (end - start < 2) return;
            for (int i = start; i < end; i++) {
                if (SPECIAL_OPERATOR_CHARS.indexOf(text.charAt(i)) >= 0) return;
            }
            int cut = end;
            while (cut - start > 1 && (text.charAt(cut - 1) == '+' || text.charAt(cut - 1) == '-')) cut--;
            if (cut == end) return;
            ends[k] = cut;
            for (int i = cut; i < end; i++) append(Kind.OPERATOR, i, i + 1);
        }

        private void append(Kind kind, int start, int end) {
            if (count == kinds.length) {
                kinds = Arrays.copyOf(kinds, count * 2);
                starts = Arrays.copyOf(starts, count * 2);
                ends = Arrays.copyOf(ends, count * 2);
            }
            kinds[count] = (byte) kind.ordinal();
            starts[count] = start;
            ends[count] = end;
            count++;
        }
    }
}
