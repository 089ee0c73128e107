package dev.warden.gateway.session;

import dev.warden.sql.SqlLexer;
import dev.warden.sql.SqlTokens;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The channels a session may be listening on, read from the LISTEN, UNLISTEN and DISCARD ALL statements it
 * ran successfully, so that the gateway polls the backend for notifications only while there can be some.
 *
 * <p>It errs towards listening (a needless poll costs a little; a missed one delays a notification until the
 * session's next statement): a LISTEN counts at once, even inside a transaction block that may roll back;
 * an UNLISTEN or DISCARD ALL inside a transaction counts only once that transaction commits ({@link
 * #committed}), replayed in order with the block's LISTENs; a channel name it cannot read (a Unicode-escaped
 * identifier) keeps the session listening until {@code UNLISTEN *} or {@code DISCARD ALL}. A LISTEN run inside
 * a function or DO block is not seen. Not thread-safe: the session's thread only.
 */
final class ListenedChannels {

    /** A LISTEN or UNLISTEN waiting for its transaction to commit; channel null for UNLISTEN * / DISCARD ALL. */
    private record Change(boolean listen, String channel) {}

    private final Set<String> channels = new HashSet<>();
    /** A LISTEN whose channel name could not be read. */
    private boolean unnamed;
    private final List<Change> pending = new ArrayList<>();

    /** True while the session may be listening on some channel. */
    boolean any() {
        return unnamed || !channels.isEmpty();
    }

    /** True for the statements that change what a session listens on. */
    static boolean changesListening(StatementKind k) {
        return switch (k.first()) {
            case "LISTEN", "UNLISTEN" -> true;
            case "DISCARD" -> k.words().size() > 1 && k.words().get(1).equals("ALL");
            default -> false;
        };
    }

    /**
     * A statement for which {@link #changesListening} is true succeeded.
     *
     * @param inTransaction it ran in a transaction that may still roll back (a client's block, or the
     *                      implicit transaction of several statements)
     */
    void succeeded(String sql, StatementKind k, boolean inTransaction) {
        Change change;
        if (k.first().equals("LISTEN")) {
            change = new Change(true, channel(sql));
            apply(change); // at once: polling for a LISTEN that rolls back costs less than missing one
        } else {
            String target = k.first().equals("DISCARD") ? "*" : channel(sql);
            if (target == null) {
                return; // an UNLISTEN of a channel that cannot be named here: keep listening
            }
            change = new Change(false, target.equals("*") ? null : target);
            if (!inTransaction) {
                apply(change);
            }
        }
        if (inTransaction) {
            pending.add(change);
        }
    }

    /** The transaction the pending changes ran in committed: they take effect, in order. */
    void committed() {
        for (Change c : pending) {
            apply(c);
        }
        pending.clear();
    }

    /** The transaction (or the savepoint) the pending changes ran in rolled back: UNLISTENs are undone. */
    void rolledBack() {
        pending.clear();
    }

    private void apply(Change c) {
        if (c.listen()) {
            if (c.channel() == null) {
                unnamed = true;
            } else {
                channels.add(c.channel());
            }
        } else if (c.channel() == null) {
            channels.clear();
            unnamed = false;
        } else {
            channels.remove(c.channel());
        }
    }

    /**
     * The channel a LISTEN or UNLISTEN names, as PostgreSQL folds it (unquoted: ASCII letters to lower case;
     * quoted: as written, {@code ""} for a quote), {@code "*"} for {@code UNLISTEN *}, or null when the
     * statement is not that simple.
     */
    static String channel(String sql) {
        SqlTokens t = SqlLexer.tokens(sql, SqlLexer.Dialect.SERVER);
        int n = t.count();
        if (t.unterminated() || n < 2 || n > 3 || t.kind(0) != SqlTokens.Kind.WORD || n == 3 && !t.is(2, ";")) {
            return null;
        }
        String token = t.text(1);
        return switch (t.kind(1)) {
            case OPERATOR -> token.equals("*") ? "*" : null;
            case QUOTED_IDENTIFIER -> {
                String name = token.charAt(0) == '"' ? token.substring(1, token.length() - 1).replace("\"\"", "\"") : "";
                // empty is no name; "*" is a channel named *, not UNLISTEN *
                yield name.isEmpty() || name.equals("*") ? null : name;
            }
            case WORD -> lowerAscii(token);
            default -> null;
        };
    }

    private static String lowerAscii(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
        }
        return b.toString();
    }
}
