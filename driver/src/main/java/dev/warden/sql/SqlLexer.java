package dev.warden.sql;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A small hand-written PostgreSQL lexer, about a microsecond per statement; see {@link LexedSql}.
 * Stateless and thread-safe; never throws (an unterminated string, comment or quote runs to the end).
 *
 * <p>Normalisation rules: every literal (string of any form, dollar-quoted body, number) and every
 * application {@code ?} becomes a single {@code ?}; everything else (whitespace, comments, operators,
 * identifiers) is kept as written, so equal statements that differ only in literal values share one
 * normalised text. Exceptions, where the value is not data but part of the statement's meaning:
 * <ul>
 *   <li>typed literals {@code DATE|TIME|TIMESTAMP|TIMESTAMPTZ|TIMETZ 'x'} and
 *       {@code TIME[STAMP] WITH[OUT] TIME ZONE 'x'} become {@code CAST(? AS <TYPE>)} because JSqlParser
 *       cannot parse {@code DATE ?}; the slot's source text is the whole typed literal. {@code INTERVAL 'x'}
 *       becomes {@code INTERVAL ?}, which parses;</li>
 *   <li>a bare integer that is a whole ORDER BY / GROUP BY item (a column position) is kept, as are the
 *       integers of a type modifier ({@code varchar(10)}, {@code numeric(10,2)}).</li>
 * </ul>
 * A minus sign where PostgreSQL's grammar reads it as the sign of the number after it (after {@code (}, a comma, a
 * comparison or arithmetic operator, or a keyword such as {@code SELECT} or {@code AND}; not after an operand, not
 * inside an operator such as {@code @-}, not before {@code ::}) is part of that number's literal: {@code -42.125}
 * is one slot whose value is {@code -42.125}, as the server folds it into one negative constant.
 */
public final class SqlLexer {
    private SqlLexer() {}

    /** Added to {@link LexedSql#words()} when a name could not be decoded; {@code mentionsAny} is then true. */
    static final String UNDECODABLE = "\u0000undecodable";
    /**
     * Marks (among the words) a plain {@code '...'} string holding a backslash: read here as PostgreSQL reads it
     * with {@code standard_conforming_strings} on (a backslash is a character), which the engine must check.
     */
    static final String BACKSLASH_IN_PLAIN_STRING = "\u0000backslash";

    private static final Set<String> TYPED_LITERAL_TYPES = Set.of("date", "time", "timestamp", "timestamptz", "timetz");
    private static final Set<String> TYPE_MODIFIER_WORDS = Set.of("varchar", "char", "character", "varying", "numeric",
            "decimal", "dec", "bit", "varbit", "float", "time", "timestamp", "timestamptz", "timetz", "interval", "nchar");
    /** Keywords after which CASE can only start a CASE expression (see Run.routineBody). */
    private static final Set<String> CASE_BEFORE = Set.of("select", "when", "then", "else", "return", "where", "and",
            "or", "not", "distinct", "having", "on", "values");
    /** Reserved keywords after which a minus can only be a sign (a column cannot be named by them unquoted). */
    private static final Set<String> SIGN_AFTER = Set.of("select", "where", "and", "or", "not", "when", "then", "else",
            "having", "limit", "offset", "case", "between");
    /** Characters that make a run of operator characters one operator even when it ends in a minus (scan.l). */
    private static final String OPERATOR_MAKERS = "~!@#%^&|`?";
    private static final String OPERATOR_CHARS = "+-*/<>=~!@#%^&|`?";
    private static final Set<String> BY_LIST_ENDERS = Set.of("select", "union", "intersect", "except", "limit", "offset",
            "having", "window", "fetch", "for", "from", "where", "values", "returning", "on", "into");

    /** A tiny hash table of common keywords (one per bucket; a collision just means no sharing). */
    private static final String[] KEYWORDS = new String[512];

    static {
        for (String k : List.of("select", "from", "where", "and", "or", "not", "in", "is", "null", "as", "on", "join", "left",
                "inner", "outer", "right", "full", "cross", "using", "insert", "into", "values", "update", "set", "delete",
                "returning", "order", "by", "group", "having", "limit", "offset", "distinct", "union", "all", "case", "when",
                "then", "else", "end", "with", "like", "ilike", "between", "exists", "asc", "desc", "count", "true", "false",
                "conflict", "do", "nothing", "excluded", "begin", "commit", "rollback", "for", "id", "name", "email", "lateral",
                "default", "nulls", "first", "last", "fetch", "next", "rows", "only", "any", "some", "cast", "date", "time",
                "timestamp", "interval", "public")) {
            int h = k.hashCode();
            int b = (h ^ (h >>> 16)) & (KEYWORDS.length - 1);
            if (KEYWORDS[b] == null) KEYWORDS[b] = k;
        }
    }

    /**
     * The index of the character that ends the {@code --} comment starting at {@code start}: the first carriage
     * return or line feed after it (PostgreSQL's scanner and pgjdbc's parser end a line comment at either), or
     * the end of the text. Ending it only at a line feed would hide whatever follows a lone carriage return
     * from every check while the server runs it.
     */
    static int lineCommentEnd(String s, int start) {
        int n = s.length();
        for (int i = start; i < n; i++) {
            char c = s.charAt(i);
            if (c == '\n' || c == '\r') return i;
        }
        return n;
    }

    /**
     * The index just after the block comment that starts ({@code /*}) at {@code start}, comments nesting as
     * PostgreSQL nests them; -1 when the text ends inside it.
     */
    static int blockCommentEnd(String s, int start) {
        int n = s.length();
        int i = start + 2;
        int nesting = 1;
        while (i < n) {
            if (s.startsWith("*/", i)) {
                if (--nesting == 0) return i + 2;
                i += 2;
            } else if (s.startsWith("/*", i)) {
                nesting++;
                i += 2;
            } else {
                i++;
            }
        }
        return -1;
    }

    public static LexedSql lex(String sql) {
        if (sql == null || sql.length() > REMEMBERED_LENGTH) return new Run(sql == null ? "" : sql, false).run();
        // the same String object, lexed again on the same thread: a front door that judged a statement
        // (BoundedResults) and then runs it through the engine; the reading is immutable, so it is shared
        LexedSql last = LAST.get();
        if (last != null && last.original() == sql) return last;
        LexedSql lexed = new Run(sql, false).run();
        LAST.set(lexed);
        return lexed;
    }

    /** The last text {@link #lex} read on each thread, if short (see {@link #REMEMBERED_LENGTH}). */
    private static final ThreadLocal<LexedSql> LAST = new ThreadLocal<>();
    /** Longer texts are not remembered: a thread would otherwise hold on to a large text until its next one. */
    private static final int REMEMBERED_LENGTH = 4096;

    /**
     * How the text marks parameters. {@code JDBC}: a lone {@code ?} is a parameter and {@code ??} stands for the
     * operator {@code ?} (pgjdbc's escape); {@code SERVER}: PostgreSQL's own text, where parameters are only
     * {@code $n} and {@code ?} is an operator character ({@code ?}, {@code ?|}, {@code ?&} on jsonb).
     */
    public enum Dialect { JDBC, SERVER }

    /**
     * The tokens of {@code sql} read exactly as {@link #lex} reads it (the same pass produces both), with
     * {@code standard_conforming_strings} on: a backslash in a plain {@code '...'} string is a character.
     */
    public static SqlTokens tokens(String sql, Dialect dialect) {
        return tokens(sql, dialect, Integer.MAX_VALUE);
    }

    /**
     * The first {@code limit} tokens of {@code sql}; the pass stops soon after them, so reading a statement's first
     * keyword does not cost a scan of the whole text.
     */
    public static SqlTokens tokens(String sql, Dialect dialect, int limit) {
        String s = sql == null ? "" : sql;
        Run run = new Run(s, false);
        run.tokens = new SqlTokens.Builder(s, limit);
        run.jdbcPlaceholders = dialect == Dialect.JDBC;
        run.run();
        return run.tokens.build();
    }

    /**
     * The first word of a statement, lower-cased, skipping comments and opening parentheses; empty when the
     * statement does not start with a word (a quoted name, a literal, nothing at all).
     */
    public static String firstWord(String sql) {
        SqlTokens t = tokens(sql, Dialect.JDBC, 8);
        int i = 0;
        while (i < t.count() && t.is(i, "(")) i++;
        if (i == t.count()) {
            if (i < 8) return "";
            return firstWord(sql.substring(t.end(i - 1)));  // a statement opening with more than 8 parentheses
        }
        return t.kind(i) == SqlTokens.Kind.WORD ? t.lower(i) : "";
    }

    /**
     * The text as PostgreSQL reads it with {@code standard_conforming_strings} off: a backslash in a plain
     * {@code '...'} string is an escape, as in {@code E'...'}, so {@code 'a\' -- '} is one string, not a string
     * and a comment. Used to decide whether such a text reaches a protected table when the server's setting is
     * off; {@link #lex} reads it as the server does with the setting on.
     */
    public static LexedSql lexWithBackslashEscapes(String sql) {
        return new Run(sql == null ? "" : sql, true).run();
    }

    /**
     * Offsets of the top-level {@code ;} of a text (normally a {@code normalized} text), in order. Used by the
     * analyzer to cut a multi-statement text into statements the same way the lexer counted them.
     */
    static int[] semicolons(String text) {
        Run r = new Run(text);
        r.run();
        return Arrays.copyOf(r.semis, r.semiCount);
    }

    /**
     * How deeply a text (normally one statement of a {@code normalized} text) nests, read with the same rules as
     * {@link #lex} (comments, quoted names and literals cannot hide or fake a bracket). The analyzer refuses, before
     * parsing, a statement nested deeper than it can parse in bounded time: JSqlParser's time grows exponentially
     * with nesting.
     */
    static Nesting nesting(String text) {
        Run r = new Run(text);
        r.run();
        return new Nesting(r.maxBrackets, r.maxQueries);
    }

    /**
     * {@code brackets}: the deepest level of open parentheses and square brackets at any point. {@code queries}:
     * the deepest nesting of subqueries (a parenthesis opening with SELECT, VALUES, WITH or TABLE) and array
     * constructors ({@code ARRAY[}) inside one another.
     */
    record Nesting(int brackets, int queries) {}

    /** One lexing pass; a fresh object per call keeps {@link SqlLexer} stateless. */
    private static final class Run {
        private final String s;
        private final int n;
        private final StringBuilder out;
        private final List<Slot> slots = new ArrayList<>(4);
        private int[] offsets = new int[8];
        private final Set<String> words = new HashSet<>(64);
        private int statements;
        private boolean statementHasToken;
        private int params;
        int[] semis = new int[2];
        int semiCount;

        // the last four significant tokens, for typed literals and ORDER BY positions; index 0 is the latest
        private final String[] lastWord = new String[4];      // lower-cased word, or null for a non-word token
        private final int[] lastStart = new int[4];           // start offset in the original
        private final int[] lastOutStart = new int[4];        // start offset in out
        private char lastPunct;                               // the last significant token when it is punctuation
        private int signAt = -1;                              // a '-' read as a sign: its offset in s, else -1
        private int signOutAt;                                // and in out
        private int depth;
        private int byListDepth = -1;
        private boolean byItemExpected;
        private int typeModDepth = -1;
        // nesting, for the analyzer's limits: open [ brackets, and the bracket level each open subquery began at
        private int squareDepth;
        private int[] queryLevels = new int[4];
        private int queryCount;
        int maxBrackets;
        int maxQueries;

        // CREATE FUNCTION ... BEGIN ATOMIC bodies, see routineBody: the statement's header read so far (0 nothing,
        // 1 CREATE, 2 CREATE OR, 3 CREATE OR REPLACE, 4 a function or procedure, -1 anything else)
        private int routine;
        private boolean inRoutineBody;
        private int caseDepth;
        /**
         * The last significant token was a {@code U&"..."} name or a {@code U&'...'} string: a UESCAPE after it changes
         * how the server decodes it ({@code U&"!0063ustomers" UESCAPE '!'} is customers), which the lexer does not
         * follow.
         */
        private boolean afterUnicodeEscapes;

        /** Plain '...' strings read as E'...' (standard_conforming_strings off). */
        private final boolean backslashEscapes;
        /** Where the tokens go when a caller asked for them ({@link SqlLexer#tokens}); null for {@link #lex}. */
        SqlTokens.Builder tokens;
        /** A lone ? is a parameter ({@link Dialect#JDBC}); otherwise an operator character. */
        boolean jdbcPlaceholders = true;

        Run(String s) {
            this(s, false);
        }

        Run(String s, boolean backslashEscapes) {
            this.backslashEscapes = backslashEscapes;
            this.s = s;
            this.n = s.length();
            this.out = new StringBuilder(n + 16);
        }

        LexedSql run() {
            int i = 0;
            while (i < n) {
                if (tokens != null && tokens.full()) break;
                char c = s.charAt(i);
                if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\u000b') {
                    out.append(c);
                    i++;
                } else if (c == '-' && i + 1 < n && s.charAt(i + 1) == '-') {
                    int end = lineCommentEnd(s, i);
                    out.append(s, i, end);
                    i = end;
                } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
                    i = blockComment(i);
                } else if (c == '\'') {
                    i = plainString(i, i);
                } else if (c == '"') {
                    i = quotedIdentifier(i, i + 1, false);
                } else if (c == '$') {
                    i = dollar(i);
                } else if (c == '?' && jdbcPlaceholders) {
                    if (i + 1 < n && s.charAt(i + 1) == '?') { // pgjdbc's escape for a literal ? operator
                        punct(i, '?');
                        out.append("??");
                        token(SqlTokens.Kind.OPERATOR, i, i + 2);
                        i += 2;
                    } else {
                        significant(null, i, out.length());
                        addSlot(new Slot.Parameter(++params), out.length());
                        out.append('?');
                        token(SqlTokens.Kind.PARAMETER, i, i + 1);
                        i++;
                    }
                } else if (c >= '0' && c <= '9' || c == '.' && i + 1 < n && isDigit(s.charAt(i + 1))) {
                    i = number(i);
                } else if (isIdentStart(c)) {
                    i = wordOrPrefixedString(i);
                } else {
                    i = punctuation(i, c);
                }
            }
            if (statementHasToken) statements++;
            if (tokens != null && unterminated) tokens.unterminated();
            return new LexedSql(s, out.toString(), Collections.unmodifiableList(slots), Arrays.copyOf(offsets, slots.size()),
                    Collections.unmodifiableSet(words), statements);
        }

        private int punctuation(int i, char c) {
            if (tokens != null) tokens.character(i);
            if (c == ';' && !inRoutineBody) {
                if (tokens != null) tokens.endsStatement();
                routine = 0;
                caseDepth = 0;
                if (semiCount == semis.length) semis = Arrays.copyOf(semis, semiCount * 2);
                semis[semiCount++] = out.length();
                if (statementHasToken) statements++;
                statementHasToken = false;
                depth = 0;
                squareDepth = 0;
                queryCount = 0;
                byListDepth = -1;
                typeModDepth = -1;
                Arrays.fill(lastWord, null);
                lastPunct = ';';
                out.append(c);
                return i + 1;
            }
            boolean typeModOpen = c == '(' && lastPunct == 0 && lastWord[0] != null && TYPE_MODIFIER_WORDS.contains(lastWord[0]);
            if (c == '(') {
                depth++;
                if (typeModOpen) typeModDepth = depth;
                opened();
            } else if (c == ')') {
                if (depth == typeModDepth) typeModDepth = -1;
                if (depth == byListDepth) byListDepth = -1;
                depth--;
                closed();
            } else if (c == '[') {
                squareDepth++;
                opened();
                if (lastPunct == 0 && "array".equals(lastWord[0])) queryOpened();
            } else if (c == ']') {
                squareDepth--;
                closed();
            }
            boolean comma = c == ',' && depth == byListDepth;
            boolean sign = c == '-' && tokens == null && signPosition(i);
            punct(i, c);
            if (sign) {
                signAt = i;
                signOutAt = out.length();
            }
            byItemExpected = comma;
            out.append(c);
            return i + 1;
        }

        private void token(SqlTokens.Kind kind, int start, int end) {
            if (tokens != null) tokens.add(kind, start, end);
        }

        /** The text ends inside a string, quoted name, dollar quote or block comment. */
        private boolean unterminated;

        private void opened() {
            maxBrackets = Math.max(maxBrackets, depth + squareDepth);
        }

        /** Ends the subqueries and array constructors opened inside the bracket just closed. */
        private void closed() {
            while (queryCount > 0 && queryLevels[queryCount - 1] > depth + squareDepth) queryCount--;
        }

        /** A subquery or array constructor begins inside the bracket opened last. */
        private void queryOpened() {
            if (queryCount == queryLevels.length) queryLevels = Arrays.copyOf(queryLevels, queryCount * 2);
            queryLevels[queryCount++] = depth + squareDepth;
            maxQueries = Math.max(maxQueries, queryCount);
        }

        /** Whether a '-' at {@code i} would be the sign of a number right after it (see the class comment). */
        private boolean signPosition(int i) {
            for (int k = i - 1; k >= 0 && OPERATOR_CHARS.indexOf(s.charAt(k)) >= 0; k--) {
                if (OPERATOR_MAKERS.indexOf(s.charAt(k)) >= 0) return false;
            }
            if (lastPunct != 0) return "(,[=<>+-*/".indexOf(lastPunct) >= 0;
            return lastWord[0] != null && SIGN_AFTER.contains(lastWord[0]);
        }

        private void punct(int i, char c) {
            significant(null, i, out.length());
            lastPunct = c;
        }

        private void significant(String lowerWord, int start, int outStart) {
            statementHasToken = true;
            signAt = -1;
            afterUnicodeEscapes = false;
            if (routine >= 0 && routine < 4) routine = -1;  // a word in the statement's header puts it back
            System.arraycopy(lastWord, 0, lastWord, 1, 3);
            System.arraycopy(lastStart, 0, lastStart, 1, 3);
            System.arraycopy(lastOutStart, 0, lastOutStart, 1, 3);
            lastWord[0] = lowerWord;
            lastStart[0] = start;
            lastOutStart[0] = outStart;
            lastPunct = 0;
            byItemExpected = false;
        }

        private void addSlot(Slot slot, int offset) {
            if (tokens != null) return;  // a caller of tokens() gets no LexedSql: skip what only it holds
            if (slots.size() == offsets.length) offsets = Arrays.copyOf(offsets, offsets.length * 2);
            offsets[slots.size()] = offset;
            slots.add(slot);
        }

        private int blockComment(int start) {
            int end = blockCommentEnd(s, start);
            if (end < 0) unterminated = true;
            int i = end < 0 ? n : end;
            out.append(s, start, i);
            return i;
        }

        /** A '...' string starting at quote {@code q}; {@code start} is where its source text begins (a prefix). */
        private int plainString(int start, int q) {
            if (backslashEscapes) return escapeString(start, q + 1);
            int i = q + 1;
            StringBuilder value = null;
            int chunk = i;
            while (i < n) {
                char c = s.charAt(i);
                if (c == '\'') {
                    if (i + 1 < n && s.charAt(i + 1) == '\'') {
                        if (value == null) value = new StringBuilder();
                        value.append(s, chunk, i + 1);
                        i += 2;
                        chunk = i;
                        continue;
                    }
                    break;
                }
                i++;
            }
            int contentEnd = i;
            if (i >= n) unterminated = true;
            int end = Math.min(n, i + 1);
            String v = value == null ? s.substring(q + 1, contentEnd) : value.append(s, chunk, contentEnd).toString();
            wordsOf(v);
            if (v.indexOf('\\') >= 0) words.add(BACKSLASH_IN_PLAIN_STRING);
            stringLiteral(start, end, v);
            return end;
        }

        /** Emits a string literal slot, as a typed literal when a type name just precedes it. */
        private void stringLiteral(int start, int end, String value) {
            token(SqlTokens.Kind.STRING, start, end);
            String type = lastPunct == 0 ? typedLiteralType() : null;
            String source;
            int outStart;
            if (type != null) {
                int words = type.indexOf(' ') < 0 ? 1 : 4;
                int srcStart = lastStart[words - 1];
                outStart = lastOutStart[words - 1];
                out.setLength(outStart);
                source = s.substring(srcStart, end);
                significant(null, srcStart, outStart);
                addSlot(new Slot.Literal(source, value, false), outStart + 5);
                out.append("CAST(?").append(" AS ").append(type).append(')');
            } else {
                significant(null, start, out.length());
                addSlot(new Slot.Literal(s.substring(start, end), value, false), out.length());
                out.append('?');
            }
        }

        /** The type of a typed literal ending at the last tokens, or null; only whitespace may separate them. */
        private String typedLiteralType() {
            String w0 = lastWord[0];
            if (w0 == null) return null;
            if (TYPED_LITERAL_TYPES.contains(w0) && onlyWhitespace(lastOutStart[0] + w0.length(), out.length())) {
                return w0.toUpperCase(Locale.ROOT);
            }
            if ("zone".equals(w0) && "time".equals(lastWord[1]) && ("with".equals(lastWord[2]) || "without".equals(lastWord[2]))
                    && ("timestamp".equals(lastWord[3]) || "time".equals(lastWord[3]))
                    && onlyWhitespace(lastOutStart[3] + lastWord[3].length(), out.length())) {
                return lastWord[3].toUpperCase(Locale.ROOT) + " " + lastWord[2].toUpperCase(Locale.ROOT) + " TIME ZONE";
            }
            return null;
        }

        /** True when out[from, to) holds only whitespace and the words between (used for multi-word types). */
        private boolean onlyWhitespace(int from, int to) {
            for (int k = from; k < to; k++) {
                char c = out.charAt(k);
                if (!(c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || isIdentPart(c))) return false;
            }
            return true;
        }

        /** E'...': backslash escapes; value null when an escape cannot be decoded safely. */
        private int escapeString(int start, int contentStart) {
            int i = contentStart;
            StringBuilder v = new StringBuilder();
            boolean ok = true;
            while (i < n) {
                char c = s.charAt(i);
                if (c == '\'') {
                    if (i + 1 < n && s.charAt(i + 1) == '\'') {
                        v.append('\'');
                        i += 2;
                        continue;
                    }
                    break;
                }
                if (c == '\\' && i + 1 < n) {
                    char e = s.charAt(i + 1);
                    i += 2;
                    switch (e) {
                        case 'b' -> v.append('\b');
                        case 'f' -> v.append('\f');
                        case 'n' -> v.append('\n');
                        case 'r' -> v.append('\r');
                        case 't' -> v.append('\t');
                        case 'x' -> {
                            int k = i;
                            int b = 0;
                            while (k < n && k < i + 2 && hex(s.charAt(k)) >= 0) b = b * 16 + hex(s.charAt(k++));
                            if (k == i) {
                                v.append('x');
                            } else {
                                ok &= byteChar(v, b);
                                i = k;
                            }
                        }
                        case 'u', 'U' -> {
                            ok = false; // unicode escapes: not decoded, see class comment
                            int len = e == 'u' ? 4 : 8;
                            int k = i;
                            while (k < n && k < i + len && hex(s.charAt(k)) >= 0) k++;
                            i = k;
                        }
                        default -> {
                            if (e >= '0' && e <= '7') {
                                int b = e - '0';
                                int k = i;
                                while (k < n && k < i + 2 && s.charAt(k) >= '0' && s.charAt(k) <= '7') b = b * 8 + (s.charAt(k++) - '0');
                                ok &= byteChar(v, b);
                                i = k;
                            } else {
                                v.append(e); // \\, \', and any other character stand for themselves
                            }
                        }
                    }
                    continue;
                }
                v.append(c);
                i++;
            }
            if (i >= n) unterminated = true;
            int end = Math.min(n, i + 1);
            wordsOf(s.substring(Math.min(contentStart, end), Math.max(contentStart, Math.min(i, n))));
            String value = ok ? v.toString() : null;
            if (value != null) wordsOf(value);
            stringLiteral(start, end, value);
            return end;
        }

        /** Octal and hex escapes give bytes; only ASCII bytes other than NUL decode to one char unambiguously. */
        private static boolean byteChar(StringBuilder v, int b) {
            if (b <= 0 || b > 0x7f) return false;
            v.append((char) b);
            return true;
        }

        /** A string whose value is not decoded (B'', X'', U&''): slot with a null value. */
        private int undecodedString(int start, int q) {
            int i = q + 1;
            while (i < n) {
                if (s.charAt(i) == '\'') {
                    if (i + 1 < n && s.charAt(i + 1) == '\'') {
                        i += 2;
                        continue;
                    }
                    break;
                }
                i++;
            }
            if (i >= n) unterminated = true;
            int end = Math.min(n, i + 1);
            token(SqlTokens.Kind.STRING, start, end);
            wordsOf(s.substring(q + 1, Math.min(i, n)));
            significant(null, start, out.length());
            afterUnicodeEscapes = s.charAt(start) == 'u' || s.charAt(start) == 'U';
            addSlot(new Slot.Literal(s.substring(start, end), null, false), out.length());
            out.append('?');
            return end;
        }

        /** "..." (or U&"..." when {@code unicode}); kept in the text, its name goes to words. */
        private int quotedIdentifier(int start, int contentStart, boolean unicode) {
            int i = contentStart;
            StringBuilder name = new StringBuilder();
            while (i < n) {
                char c = s.charAt(i);
                if (c == '"') {
                    if (i + 1 < n && s.charAt(i + 1) == '"') {
                        name.append('"');
                        i += 2;
                        continue;
                    }
                    break;
                }
                name.append(c);
                i++;
            }
            if (i >= n) unterminated = true;
            int end = Math.min(n, i + 1);
            token(SqlTokens.Kind.QUOTED_IDENTIFIER, start, end);
            String lower = name.toString().toLowerCase(Locale.ROOT);
            boolean unicodeName = unicode;
            if (unicode) {
                String decoded = decodeUnicodeEscapes(lower);
                if (decoded == null) {
                    words.add(UNDECODABLE);
                } else {
                    lower = decoded.toLowerCase(Locale.ROOT);
                }
            }
            words.add(lower);
            wordsOf(lower);
            significant(lower, start, out.length());
            afterUnicodeEscapes = unicodeName;
            lastWord[0] = null; // a quoted name is never a type keyword
            out.append(s, start, end);
            return end;
        }

        /** Decodes {@code \XXXX} and {@code \+XXXXXX} with the default escape; null when it cannot. */
        private static String decodeUnicodeEscapes(String t) {
            StringBuilder b = new StringBuilder(t.length());
            int i = 0;
            while (i < t.length()) {
                char c = t.charAt(i);
                if (c != '\\') {
                    b.append(c);
                    i++;
                } else if (i + 1 < t.length() && t.charAt(i + 1) == '\\') {
                    b.append('\\');
                    i += 2;
                } else {
                    boolean plus = i + 1 < t.length() && t.charAt(i + 1) == '+';
                    int from = i + (plus ? 2 : 1);
                    int len = plus ? 6 : 4;
                    if (from + len > t.length()) return null;
                    int cp = 0;
                    for (int k = from; k < from + len; k++) {
                        int h = hex(t.charAt(k));
                        if (h < 0) return null;
                        cp = cp * 16 + h;
                    }
                    if (!Character.isValidCodePoint(cp)) return null;
                    b.appendCodePoint(cp);
                    i = from + len;
                }
            }
            return b.toString();
        }

        private int dollar(int start) {
            int i = start + 1;
            if (i < n && isDigit(s.charAt(i))) { // $1 positional parameter: kept as is
                while (i < n && isDigit(s.charAt(i))) i++;
                significant(null, start, out.length());
                out.append(s, start, i);
                token(SqlTokens.Kind.PARAMETER, start, i);
                return i;
            }
            while (i < n && isIdentStart(s.charAt(i)) || i < n && i > start + 1 && isDigit(s.charAt(i))) i++;
            if (i >= n || s.charAt(i) != '$') {
                if (tokens != null) tokens.character(start);
                punct(start, '$');
                out.append('$');
                return start + 1;
            }
            String tag = s.substring(start, i + 1);
            int bodyStart = i + 1;
            int close = s.indexOf(tag, bodyStart);
            int bodyEnd = close < 0 ? n : close;
            int end = close < 0 ? n : close + tag.length();
            if (close < 0) unterminated = true;
            token(SqlTokens.Kind.DOLLAR_STRING, start, end);
            String body = s.substring(bodyStart, bodyEnd);
            wordsOf(body);
            significant(null, start, out.length());
            addSlot(new Slot.Literal(s.substring(start, end), body, false), out.length());
            out.append('?');
            return end;
        }

        private int number(int start) {
            int i = start;
            boolean integer = true;
            if (s.charAt(i) == '0' && i + 2 < n && "xXoObB".indexOf(s.charAt(i + 1)) >= 0 && isIdentPart(s.charAt(i + 2))) {
                i += 2;
                while (i < n && (hex(s.charAt(i)) >= 0 || s.charAt(i) == '_')) i++;
            } else {
                while (i < n && (isDigit(s.charAt(i)) || s.charAt(i) == '_')) i++;
                if (i < n && s.charAt(i) == '.' && !(i + 1 < n && s.charAt(i + 1) == '.')) {
                    integer = false;
                    i++;
                    while (i < n && (isDigit(s.charAt(i)) || s.charAt(i) == '_')) i++;
                }
                if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
                    int k = i + 1;
                    if (k < n && (s.charAt(k) == '+' || s.charAt(k) == '-')) k++;
                    if (k < n && isDigit(s.charAt(k))) {
                        integer = false;
                        i = k;
                        while (i < n && isDigit(s.charAt(i))) i++;
                    }
                }
            }
            String text = s.substring(start, i);
            token(SqlTokens.Kind.NUMBER, start, i);
            if (lastPunct == '-' && signAt >= 0 && onlyBlanks(signOutAt + 1, out.length()) && !castFollows(i)) {
                // the number's sign: one negative literal, as the server's grammar folds it
                int signStart = signAt;
                out.setLength(signOutAt);
                significant(null, signStart, out.length());
                String digits = text.indexOf('_') < 0 ? text : text.replace("_", "");
                addSlot(new Slot.Literal(s.substring(signStart, i), "-" + digits, true), out.length());
                out.append('?');
                return i;
            }
            boolean keep = integer && (depth == typeModDepth || byItemExpected && depth == byListDepth && positionEnds(i));
            significant(null, start, out.length());
            if (keep) {
                out.append(text);
            } else {
                addSlot(new Slot.Literal(text, text.indexOf('_') < 0 ? text : text.replace("_", ""), true), out.length());
                out.append('?');
            }
            return i;
        }

        private boolean onlyBlanks(int from, int to) {
            for (int k = from; k < to; k++) {
                if (!Character.isWhitespace(out.charAt(k))) return false;
            }
            return true;
        }

        /** A {@code ::} cast binds tighter than a sign: {@code -5::text} is {@code -(5::text)}. */
        private boolean castFollows(int i) {
            while (i < n && Character.isWhitespace(s.charAt(i))) i++;
            return i + 1 < n && s.charAt(i) == ':' && s.charAt(i + 1) == ':';
        }

        /** True when what follows an integer makes it a whole ORDER BY / GROUP BY item (a position). */
        private boolean positionEnds(int i) {
            while (i < n && Character.isWhitespace(s.charAt(i))) i++;
            if (i >= n) return true;
            char c = s.charAt(i);
            return c == ',' || c == ')' || c == ';' || isIdentStart(c) || c == '-' && i + 1 < n && s.charAt(i + 1) == '-';
        }

        private int wordOrPrefixedString(int start) {
            char c = s.charAt(start);
            char next = start + 1 < n ? s.charAt(start + 1) : 0;
            if (next == '\'') {
                switch (c) {
                    case 'e', 'E' -> { return escapeString(start, start + 2); }
                    case 'n', 'N' -> { return plainString(start, start + 1); }
                    case 'b', 'B', 'x', 'X' -> { return undecodedString(start, start + 1); }
                    default -> { }
                }
            }
            if ((c == 'u' || c == 'U') && next == '&' && start + 2 < n) {
                char q = s.charAt(start + 2);
                if (q == '\'') return undecodedString(start, start + 2);
                if (q == '"') return quotedIdentifier(start, start + 3, true);
            }
            int i = start + 1;
            while (i < n && isIdentPart(s.charAt(i))) i++;
            token(SqlTokens.Kind.WORD, start, i);
            String lower = lowerCase(start, i);
            if (tokens == null) words.add(lower);
            // the escape character of the U& name or string before: the lexer decoded it with \, so what it read
            // may not be what the server reads; such a name may be any name
            if (afterUnicodeEscapes && lower.equals("uescape")) words.add(UNDECODABLE);
            String wordBefore = lastWord[0];
            char punctBefore = lastPunct;
            int routineBefore = routine;
            if (lastPunct == '(' && (lower.equals("select") || lower.equals("values") || lower.equals("with")
                    || lower.equals("table"))) {
                queryOpened();
            }
            if (lower.equals("by") && ("order".equals(lastWord[0]) || "group".equals(lastWord[0])) && lastPunct == 0) {
                significant(lower, start, out.length());
                byListDepth = depth;
                byItemExpected = true;
            } else {
                if (depth == byListDepth && BY_LIST_ENDERS.contains(lower)) byListDepth = -1;
                significant(lower, start, out.length());
            }
            routineBody(lower, wordBefore, punctBefore, routineBefore);
            out.append(s, start, i);
            return i;
        }

        /**
         * Follows {@code CREATE [OR REPLACE] FUNCTION | PROCEDURE ... BEGIN ATOMIC ... END}, whose body holds
         * semicolons that do not end the statement (PostgreSQL's grammar reads the whole body; psql's scanner
         * tracks it with a similar heuristic). Errs towards ending the body early, never late: a statement cut
         * short is only a syntax error, while a statement hidden in a body would escape every check. So any
         * {@code END} at parenthesis depth zero ends the body, except one that closes a {@code CASE} counted
         * here, and a {@code CASE} is counted only where it can only start a CASE expression (after an operator,
         * {@code (}, {@code ,} or a keyword that must be followed by an expression), never where it may be a
         * column label ({@code SELECT 1 case}, {@code AS case}, {@code t.case}). {@code END} after {@code AS}
         * or {@code .} is a label and ends nothing.
         */
        private void routineBody(String w, String wordBefore, char punctBefore, int routineBefore) {
            if (routineBefore >= 0 && routineBefore < 4) {
                routine = switch (routineBefore) {
                    case 0 -> w.equals("create") ? 1 : -1;
                    case 1 -> w.equals("or") ? 2 : isRoutine(w) ? 4 : -1;
                    case 2 -> w.equals("replace") ? 3 : -1;
                    default -> isRoutine(w) ? 4 : -1;
                };
                return;
            }
            if (routine != 4 || depth != 0) return;
            if (!inRoutineBody) {
                inRoutineBody = w.equals("atomic") && "begin".equals(wordBefore) && punctBefore == 0;
                return;
            }
            boolean label = "as".equals(wordBefore) || punctBefore == '.';
            if (w.equals("case") && !label && (punctBefore == '(' || punctBefore == ','
                    || punctBefore != 0 && SqlTokens.Builder.isOperatorChar(punctBefore)
                    || punctBefore == 0 && wordBefore != null && CASE_BEFORE.contains(wordBefore))) {
                caseDepth++;
            } else if (w.equals("end") && !label) {
                if (caseDepth > 0) {
                    caseDepth--;
                } else {
                    inRoutineBody = false;
                }
            }
        }

        private static boolean isRoutine(String w) {
            return w.equals("function") || w.equals("procedure");
        }

        /** The lower-cased word; common keywords come from a shared table so they cost no allocation. */
        private String lowerCase(int from, int to) {
            int h = 0;
            boolean ascii = true;
            for (int k = from; k < to; k++) {
                char c = s.charAt(k);
                if (c >= 0x80) {
                    ascii = false;
                    break;
                }
                h = 31 * h + (c >= 'A' && c <= 'Z' ? c + 32 : c);
            }
            if (ascii) {
                String kw = KEYWORDS[(h ^ (h >>> 16)) & (KEYWORDS.length - 1)];
                if (kw != null && kw.length() == to - from && s.regionMatches(true, from, kw, 0, kw.length())) return kw;
            }
            return s.substring(from, to).toLowerCase(Locale.ROOT);
        }

        /** Adds every identifier-like word of a literal's text, lower-cased. */
        private void wordsOf(String text) {
            if (tokens != null) return;
            int len = text.length();
            int i = 0;
            while (i < len) {
                if (isIdentStart(text.charAt(i))) {
                    int j = i + 1;
                    while (j < len && isIdentPart(text.charAt(j))) j++;
                    words.add(text.substring(i, j).toLowerCase(Locale.ROOT));
                    i = j;
                } else {
                    i++;
                }
            }
        }
    }

    static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    static boolean isIdentStart(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80;
    }

    static boolean isIdentPart(char c) {
        return isIdentStart(c) || isDigit(c) || c == '$';
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }
}
