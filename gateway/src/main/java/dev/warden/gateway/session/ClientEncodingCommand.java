package dev.warden.gateway.session;

import dev.warden.sql.SqlLexer;
import dev.warden.sql.SqlTokens;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A statement about the client's encoding, which the gateway answers itself (the backend connection stays
 * UTF-8: pgjdbc ends the connection if its {@code client_encoding} changes): {@code SET client_encoding},
 * {@code SET NAMES}, {@code RESET client_encoding}, {@code SHOW client_encoding}; and the shapes the gateway
 * refuses rather than let them reach the backend ({@code SET LOCAL client_encoding}, {@code set_config} of it,
 * a SET it cannot read). Immutable and thread-safe.
 *
 * @param action what the statement does
 * @param value the encoding asked for; null for the session default (RESET, {@code TO DEFAULT})
 * @param backendTwin the statement run on the backend instead (a UTF-8 twin with the client's value replaced
 *                    by {@code 'UTF8'}): it checks the statement may run now (an aborted transaction refuses it
 *                    with 25P02, as PostgreSQL would) and leaves the statement's audit event with the client's
 *                    fingerprint; null for a refusal
 */
record ClientEncodingCommand(Action action, String value, String backendTwin) {

    enum Action { SET, RESET, SHOW, REFUSE }

    /** The command {@code sql} is, or null when it is not about {@code client_encoding}. */
    static ClientEncodingCommand of(String sql, StatementKind k) {
        String first = k.first();
        switch (first) {
            case "SET", "RESET", "SHOW" -> {
                List<String> w = SqlText.words(sql, 4); // SHOW's kind keeps its first word only
                int i = 1;
                boolean local = false;
                if (first.equals("SET") && (w.size() > 1 && (w.get(1).equals("SESSION") || w.get(1).equals("LOCAL")))) {
                    local = w.get(1).equals("LOCAL");
                    i++;
                }
                String name = i < w.size() ? w.get(i) : "";
                boolean names = first.equals("SET") && name.equals("NAMES");
                if (!name.equals("CLIENT_ENCODING") && !names) {
                    return null;
                }
                if (local) {
                    return refuse();
                }
                if (!first.equals("SET")) {
                    return tokens(sql).size() == 2 ? new ClientEncodingCommand(
                            first.equals("SHOW") ? Action.SHOW : Action.RESET, null, sql) : refuse();
                }
                return set(sql, names);
            }
            default -> {
                return mentionsSetConfigOfEncoding(sql) ? refuse() : null;
            }
        }
    }

    private static ClientEncodingCommand refuse() {
        return new ClientEncodingCommand(Action.REFUSE, null, null);
    }

    /** {@code SET [SESSION] client_encoding {TO | =} value} or {@code SET [SESSION] NAMES [value]}. */
    private static ClientEncodingCommand set(String sql, boolean names) {
        List<Token> t = tokens(sql);
        int i = 1;
        if (i < t.size() && t.get(i).word("SESSION")) {
            i++;
        }
        i++; // the setting's name, or NAMES
        if (!names) {
            if (i < t.size() && (t.get(i).word("TO") || t.get(i).text.equals("="))) {
                i++;
            } else {
                return refuse();
            }
        }
        if (i == t.size() && names) {
            return new ClientEncodingCommand(Action.SET, null, sql); // SET NAMES: the default
        }
        if (i != t.size() - 1) {
            return refuse(); // no value, or a list
        }
        Token v = t.get(i);
        if (v.kind == 'w' && v.word("DEFAULT")) {
            return new ClientEncodingCommand(Action.SET, null, sql);
        }
        if (v.kind == '?') {
            return refuse();
        }
        String twin = sql.substring(0, v.start) + "'UTF8'" + sql.substring(v.end);
        return new ClientEncodingCommand(Action.SET, v.text, twin);
    }

    /** True for a statement calling {@code set_config} with a {@code client_encoding} in its text. */
    static boolean mentionsSetConfigOfEncoding(String sql) {
        return mentions(sql, "client_encoding", 6) && mentions(sql, "set_config", 3);
    }

    /**
     * True when {@code sql} holds {@code lowerCaseName} (whose only underscore is at {@code underscoreAt}), in
     * any case. Runs for every statement, so it jumps from underscore to underscore (an intrinsic search; SQL
     * text has few) instead of comparing at every character.
     */
    private static boolean mentions(String sql, String lowerCaseName, int underscoreAt) {
        char next = lowerCaseName.charAt(underscoreAt + 1);
        int after = lowerCaseName.length() - underscoreAt;
        for (int u = sql.indexOf('_', underscoreAt); u >= 0 && u + after <= sql.length(); u = sql.indexOf('_', u + 1)) {
            if ((sql.charAt(u + 1) | 0x20) == next
                    && sql.regionMatches(true, u - underscoreAt, lowerCaseName, 0, lowerCaseName.length())) {
                return true;
            }
        }
        return false;
    }

    /** A token of a SET statement: {@code w} word, {@code s} string literal, {@code i} quoted name, {@code ?} other. */
    private record Token(char kind, String text, int start, int end) {
        boolean word(String upper) {
            return kind == 'w' && text.toUpperCase(Locale.ROOT).equals(upper);
        }
    }

    /**
     * The statement's tokens as {@link SqlLexer} reads them, without semicolons: words and numbers, plain string
     * literals and quoted names unquoted, {@code =}; anything else ({@code E''}, dollar quotes, operators) is a
     * token this class does not read, which makes the statement refused.
     */
    private static List<Token> tokens(String sql) {
        SqlTokens t = SqlLexer.tokens(sql, SqlLexer.Dialect.SERVER);
        List<Token> out = new ArrayList<>(t.count());
        for (int i = 0; i < t.count(); i++) {
            if (t.is(i, ";")) continue;
            String text = t.text(i);
            char kind = switch (t.kind(i)) {
                case WORD, NUMBER -> 'w';
                case STRING -> text.startsWith("'") ? 's' : '?';
                case QUOTED_IDENTIFIER -> text.startsWith("\"") ? 'i' : '?';
                case OPERATOR -> text.equals("=") ? 'w' : '?';
                default -> '?';
            };
            if (kind == 's' || kind == 'i') {
                String q = text.substring(0, 1);
                text = text.substring(1, Math.max(1, text.length() - 1)).replace(q + q, q);
            }
            out.add(new Token(kind, text, t.start(i), t.end(i)));
        }
        return out;
    }
}
