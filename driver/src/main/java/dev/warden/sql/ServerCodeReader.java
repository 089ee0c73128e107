package dev.warden.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Finds the code a statement hands to the server to run later or at once: {@code DO} blocks and the bodies of
 * {@code CREATE [OR REPLACE] FUNCTION | PROCEDURE}, with their language, in every statement of a text; and
 * {@code COPY} to or from a server file or program. Reads the normalised text (literals are {@code ?}) and takes a
 * body's text from its literal slot. Knows nothing of policies: the engine judges what is found. Stateless.
 */
public final class ServerCodeReader {

    private ServerCodeReader() {
    }

    /**
     * One piece of server code.
     *
     * @param what     "DO block" or "CREATE FUNCTION public.f" (normalised, never a value)
     * @param language lower-case language name; null when the text does not say and the server's default applies
     *                 is already filled in (plpgsql for DO, sql for a function); "?" when it cannot be read
     * @param body     the body's text, or null when it is written inline (an SQL-standard body, whose words are
     *                 the statement's own) or comes from a bind parameter (then {@code readable} is false)
     * @param readable false when the body or language could not be told (a parameter, an odd shape)
     */
    public record Code(String what, String language, String body, boolean readable) {}

    /** The code of every {@code DO} and {@code CREATE FUNCTION/PROCEDURE} statement in {@code sql}, in order. */
    public static List<Code> read(LexedSql sql) {
        List<Code> out = new ArrayList<>();
        String text = sql.normalized();
        int[] semis = SqlLexer.semicolons(text);
        int from = 0;
        for (int k = 0; k <= semis.length; k++) {
            int to = k < semis.length ? semis[k] : text.length();
            String piece = text.substring(from, to);
            String first = SqlLexer.firstWord(piece);
            if (first.equals("do") || first.equals("create")) {
                Code code = readOne(piece, first, slotsIn(sql, from, to));
                if (code != null) out.add(code);
            }
            from = to + 1;
        }
        return out;
    }

    /**
     * True when some statement of {@code sql} is a {@code COPY} to or from a server-side file or program (not
     * STDIN/STDOUT): the server reads or writes a file, or runs a program, that Warden never sees.
     */
    public static boolean copiesServerFile(LexedSql sql) {
        String text = sql.normalized();
        int[] semis = SqlLexer.semicolons(text);
        int from = 0;
        for (int k = 0; k <= semis.length; k++) {
            int to = k < semis.length ? semis[k] : text.length();
            String piece = text.substring(from, to);
            from = to + 1;
            if (!SqlLexer.firstWord(piece).equals("copy")) continue;
            List<String> t = SchemaChangeReader.tokens(piece);
            if (t == null) return true;  // cannot tell: assume the worst
            int depth = 0;
            for (int i = 0; i < t.size(); i++) {
                String token = t.get(i);
                if (token.equals("(")) depth++;
                else if (token.equals(")")) depth--;
                else if (depth == 0 && (token.equals("from") || token.equals("to")) && i + 1 < t.size()) {
                    String next = t.get(i + 1);
                    if (next.equals("?") || next.equals("program")) return true;
                }
            }
        }
        return false;
    }

    private static List<Slot> slotsIn(LexedSql sql, int from, int to) {
        List<Slot> slots = new ArrayList<>();
        for (int i = 0; i < sql.slots().size(); i++) {
            int at = sql.slotOffsets()[i];
            if (at >= from && at < to) slots.add(sql.slots().get(i));
        }
        return slots;
    }

    private static Code readOne(String piece, String first, List<Slot> slots) {
        List<String> t = SchemaChangeReader.tokens(piece);
        if (first.equals("do")) {
            if (t == null) return new Code("DO block", "?", null, false);
            String language = "plpgsql";
            String body = null;
            boolean readable = true;
            int slot = 0;
            for (int i = 1; i < t.size(); i++) {
                if (t.get(i).equals("language") && i + 1 < t.size()) {
                    String lang = language(t.get(i + 1), t.get(i + 1).equals("?") ? slots.get(slot) : null);
                    if (t.get(i + 1).equals("?")) slot++;
                    language = lang;
                    i++;
                } else if (t.get(i).equals("?")) {
                    Slot s = slots.get(slot++);
                    if (s instanceof Slot.Literal literal && literal.value() != null) body = literal.value();
                    else readable = false;
                }
            }
            if (body == null) readable = false;
            return new Code("DO block", language, body, readable && !language.equals("?"));
        }
        // CREATE [OR REPLACE] FUNCTION | PROCEDURE name (...) ...
        if (t == null || t.size() < 3) return null;
        int i = 1;
        if (t.get(i).equals("or") && i + 2 < t.size() && t.get(i + 1).equals("replace")) i += 2;
        if (!t.get(i).equals("function") && !t.get(i).equals("procedure")) return null;
        String kind = t.get(i).toUpperCase(Locale.ROOT);
        StringBuilder name = new StringBuilder();
        int j = i + 1;
        while (j < t.size() && !t.get(j).equals("(")) name.append(SchemaChangeReader.name(t.get(j++)));
        String what = "CREATE " + kind + " " + name;
        String language = "sql";
        String body = null;
        boolean readable = true;
        int depth = 0;
        int slot = 0;
        for (; j < t.size(); j++) {
            String token = t.get(j);
            if (token.equals("(")) depth++;
            else if (token.equals(")")) depth--;
            else if (token.equals("?")) {
                Slot s = slot < slots.size() ? slots.get(slot) : null;
                slot++;
                if (depth != 0) continue;  // an argument's default value
                boolean isLanguage = j > 0 && t.get(j - 1).equals("language");
                if (isLanguage) {
                    language = language("?", s);
                } else if (j > 0 && (t.get(j - 1).equals("as") || t.get(j - 1).equals(","))) {
                    if (body != null || !(s instanceof Slot.Literal literal) || literal.value() == null) {
                        readable = false;   // AS 'file', 'symbol' (C), or a parameter
                    } else {
                        body = literal.value();
                    }
                }
            } else if (depth == 0 && token.equals("language") && j + 1 < t.size() && !t.get(j + 1).equals("?")) {
                language = language(t.get(j + 1), null);
            }
        }
        return new Code(what, language, body, readable && !language.equals("?"));
    }

    private static String language(String token, Slot slot) {
        if (token.equals("?")) {
            return slot instanceof Slot.Literal literal && literal.value() != null
                    ? literal.value().toLowerCase(Locale.ROOT) : "?";
        }
        return SchemaChangeReader.isName(token) ? SchemaChangeReader.name(token).toLowerCase(Locale.ROOT) : "?";
    }
}
