package dev.warden.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What {@link CopyQuery} takes for a query COPY it encodes, and its text and CSV encoding (PostgreSQL's). */
class CopyQueryTest {

    private static String row(CopyQuery q, String... values) {
        return new String(q.row(values), StandardCharsets.UTF_8);
    }

    @Test
    void readsTheQueryAndTheCommonOptionsInBothSyntaxes() {
        CopyQuery plain = CopyQuery.parse("COPY ( select id, ')' as p from customers where a = 'x)' ) TO STDOUT");
        assertNotNull(plain);
        assertEquals(" select id, ')' as p from customers where a = 'x)' ", plain.query());
        assertEquals('\t', plain.delimiter());
        assertEquals("\\N", plain.nullString());
        CopyQuery legacy = CopyQuery.parse("copy (select 1) to stdout with csv header");
        assertEquals(true, legacy.csv());
        assertEquals(true, legacy.header());
        assertEquals(',', legacy.delimiter());
        assertEquals("", legacy.nullString());
        CopyQuery modern = CopyQuery.parse("COPY (select 1) TO STDOUT WITH (FORMAT csv, HEADER false, DELIMITER ';',"
                + " NULL 'n/a', QUOTE '''', ESCAPE '\\')");
        assertEquals(false, modern.header());
        assertEquals(';', modern.delimiter());
        assertEquals("n/a", modern.nullString());
        assertEquals('\'', modern.quote());
        assertEquals('\\', modern.escape());
        CopyQuery legacyText = CopyQuery.parse("copy (select 1) to stdout delimiter as '|' null as ''");
        assertEquals('|', legacyText.delimiter());
        assertEquals("", legacyText.nullString());
    }

    @Test
    void anythingElseIsTheServersCopy() {
        assertNull(CopyQuery.parse("COPY customers TO STDOUT"));
        assertNull(CopyQuery.parse("COPY (select 1) TO '/tmp/x'"));
        assertNull(CopyQuery.parse("COPY (select 1) TO PROGRAM 'cat'"));
        assertNull(CopyQuery.parse("COPY (select 1) TO STDOUT (FORMAT binary)"));
        assertNull(CopyQuery.parse("COPY (select 1) TO STDOUT BINARY"));
        assertNull(CopyQuery.parse("COPY (select 1) TO STDOUT (FORMAT csv, FORCE_QUOTE *)"));
        assertNull(CopyQuery.parse("COPY (select 1) TO STDOUT (ENCODING 'latin1')"));
        assertNull(CopyQuery.parse("COPY (select 1) TO STDOUT (DELIMITER 'ab')"));
        assertNull(CopyQuery.parse("COPY (select 1) TO STDOUT (QUOTE '\"')"), "QUOTE only in CSV");
        assertNull(CopyQuery.parse("COPY (select 1) TO STDOUT (FORMAT csv, DELIMITER '\"')"));
        assertNull(CopyQuery.parse("COPY (select 1) TO STDOUT E'x'"));
        assertNull(CopyQuery.parse("COPY (select 1 TO STDOUT"));
        assertNull(CopyQuery.parse("COPY (select 1; delete from customers) TO STDOUT"));
    }

    @Test
    void textFormatEscapesAsTheServer() {
        CopyQuery q = CopyQuery.parse("COPY (select 1) TO STDOUT");
        assertEquals("a\\\\b\\tc\\nd\\re\\bf\\fg\\vh\t\\N\t\n", row(q, "a\\b\tc\nd\re\bf\fg\u000bh", null, ""));
        CopyQuery pipe = CopyQuery.parse("COPY (select 1) TO STDOUT (DELIMITER '|', NULL 'nil')");
        assertEquals("a\\|b|nil|é\n", row(pipe, "a|b", null, "é"));
    }

    @Test
    void csvQuotesWhatNeedsIt() {
        CopyQuery q = CopyQuery.parse("COPY (select 1) TO STDOUT (FORMAT csv)");
        assertEquals("plain,\"a,b\",\"say \"\"hi\"\"\",\"l1\nl2\",,\"\",\\.\n",
                row(q, "plain", "a,b", "say \"hi\"", "l1\nl2", null, "", "\\."));
        assertEquals("\"\\.\"\n", row(q, "\\."));
        CopyQuery esc = CopyQuery.parse("COPY (select 1) TO STDOUT (FORMAT csv, ESCAPE '\\', NULL 'N')");
        assertEquals("\"a\\\"b\",\"N\",N,\"c\\\\d,\"\n", row(esc, "a\"b", "N", null, "c\\d,"));
    }
}
