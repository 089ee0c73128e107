package dev.warden.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.policy.Policy;
import dev.warden.policy.PolicyLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;
import org.postgresql.util.PSQLWarning;
import org.postgresql.util.ServerErrorMessage;

/**
 * The redaction rules of {@link ServerErrorRedactor} on pgjdbc's own error classes, without a database:
 * which fields are kept, how each shape of detail, message and context is redacted, and that the rebuilt
 * exceptions are pgjdbc's classes again.
 */
class ServerErrorRedactorTest {

    private static final String SECRET = "731-55-8202";

    private final ServerErrorRedactor redactor = new ServerErrorRedactor(policy());

    private static Policy policy() {
        try {
            Path dir = Files.createTempDirectory("redactor");
            Files.writeString(dir.resolve("policy.yaml"), """
                    roles:
                      support: {}
                    tables:
                      members:
                        ssn:
                          encrypt: none
                          read: { support: plaintext }
                          write: [support]
                    """);
            return PolicyLoader.load(dir.resolve("policy.yaml").toString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static PSQLException serverError(Map<Character, String> fields) {
        StringBuilder b = new StringBuilder();
        fields.forEach((k, v) -> b.append(k).append(v).append('\0'));
        return new PSQLException(new ServerErrorMessage(b.toString()));
    }

    private static Map<Character, String> fields(String... codeAndText) {
        Map<Character, String> m = new LinkedHashMap<>();
        for (String f : codeAndText) m.put(f.charAt(0), f.substring(1));
        return m;
    }

    @Test
    void aCheckViolationKeepsItsNamesAndLosesTheRow() {
        PSQLException original = serverError(fields("SERROR", "C23514",
                "Mnew row for relation \"members\" violates check constraint \"members_tier_check\"",
                "DFailing row contains (1, Mia, " + SECRET + ", 1000).", "spublic", "tmembers",
                "nmembers_tier_check", "Fexecmain.c", "L2000", "RExecConstraints"));
        PSQLException redacted = assertInstanceOf(PSQLException.class, redactor.redact(original, true));
        ServerErrorMessage m = redacted.getServerErrorMessage();
        assertEquals("23514", redacted.getSQLState());
        assertEquals("ERROR", m.getSeverity());
        assertEquals("new row for relation \"members\" violates check constraint \"members_tier_check\"", m.getMessage());
        assertEquals("Failing row contains (values redacted by Warden).", m.getDetail());
        assertEquals("members_tier_check", m.getConstraint());
        assertEquals("members", m.getTable());
        assertEquals("public", m.getSchema());
        assertEquals("ExecConstraints", m.getRoutine());
        assertFalse(redacted.toString().contains(SECRET), redacted.toString());
    }

    @Test
    void keyDetailsKeepTheirColumnsAndTables() {
        assertEquals("Key (email)=(redacted) already exists.",
                ServerErrorRedactor.detail("Key (email)=(\\x0102) already exists."));
        assertEquals("Key (lower(email))=(redacted) already exists.",
                ServerErrorRedactor.detail("Key (lower(email))=(a)=(b) already exists.) already exists."));
        assertEquals("Key (ssn)=(redacted) is not present in table \"members\".",
                ServerErrorRedactor.detail("Key (ssn)=(" + SECRET + ") is not present in table \"members\"."));
        assertEquals("Key (id)=(redacted) is still referenced from table \"visits\".",
                ServerErrorRedactor.detail("Key (id)=(3) is still referenced from table \"visits\"."));
        assertEquals("Key (badge)=(redacted) conflicts with existing key (badge)=(redacted).",
                ServerErrorRedactor.detail("Key (badge)=(x) conflicts with existing key (badge)=(x)."));
        // anything else, including the key shape with a quoted column list, is replaced whole
        assertEquals(ServerErrorRedactor.DETAIL_REDACTED,
                ServerErrorRedactor.detail("Key (\"" + SECRET + "\")=(1) already exists."));
        assertEquals(ServerErrorRedactor.DETAIL_REDACTED, ServerErrorRedactor.detail("Token \"" + SECRET + "\" is invalid."));
        assertEquals(ServerErrorRedactor.DETAIL_REDACTED, ServerErrorRedactor.detail("Process 12 waits for ShareLock"));
    }

    @Test
    void quotedTextIsKeptOnlyWhenItIsAKnownName() {
        Set<String> names = Set.of("members", "ssn");
        assertEquals("invalid input syntax for type integer: \"(redacted)\"",
                ServerErrorRedactor.names("invalid input syntax for type integer: \"" + SECRET + "\"", names));
        assertEquals("column \"ssn\" of relation \"members\" is \"(redacted)\"",
                ServerErrorRedactor.names("column \"ssn\" of relation \"members\" is \"x\"", names));
        // a value holding quotes: everything from the first unknown quote to the last one goes
        String tricky = ServerErrorRedactor.names("value \"a\" " + SECRET + " \"b\" for \"members\"", names);
        assertFalse(tricky.contains(SECRET), tricky);
        String unbalanced = ServerErrorRedactor.names("value \"ab\"cd" + SECRET + "\" is out of range", names);
        assertFalse(unbalanced.contains(SECRET), unbalanced);
        assertEquals(ServerErrorRedactor.TRANSLATED_REDACTED, ServerErrorRedactor.names(
                "ungültige Eingabesyntax für Typ integer: »" + SECRET + "«", names));
        assertEquals("value \"(redacted)\" is out of range", ServerErrorRedactor.names("value \"ü" + SECRET
                + "\" is out of range", names), "a value may be anything: it is gone before the check");
        assertEquals("invalid byte sequence for encoding \"UTF8\": (redacted)",
                ServerErrorRedactor.names("invalid byte sequence for encoding \"UTF8\": 0xe9 0x20", Set.of("utf8")));
    }

    @Test
    void contextKeepsFunctionLinesOnly() {
        assertEquals("PL/pgSQL function members_announce() line 4 at RAISE",
                ServerErrorRedactor.context("PL/pgSQL function members_announce() line 4 at RAISE"));
        assertEquals(ServerErrorRedactor.CONTEXT_REDACTED + "\nPL/pgSQL function f(text) line 2 at SQL statement",
                ServerErrorRedactor.context("SQL statement \"UPDATE members SET ssn = '" + SECRET + "'\"\n"
                        + "PL/pgSQL function f(text) line 2 at SQL statement"));
        assertEquals(ServerErrorRedactor.CONTEXT_REDACTED,
                ServerErrorRedactor.context("COPY members, line 1, column ssn: \"" + SECRET + "\""));
        assertEquals(ServerErrorRedactor.CONTEXT_REDACTED,
                ServerErrorRedactor.context("unnamed portal parameter $1 = '" + SECRET + "'"));
    }

    @Test
    void whatServerSideCodeRaisesIsReplacedWholeAndUnknownFieldsAreDropped() {
        PSQLException original = serverError(fields("SERROR", "CP0001", "Mbad ssn " + SECRET, "Dssn " + SECRET,
                "Hcheck " + SECRET, "WPL/pgSQL function f() line 3 at RAISE", "qSELECT '" + SECRET + "'", "p8",
                "Fpl_exec.c", "L3900", "Rexec_stmt_raise"));
        ServerErrorMessage m = ((PSQLException) redactor.redact(original, true)).getServerErrorMessage();
        assertEquals(ServerErrorRedactor.MESSAGE_REDACTED, m.getMessage());
        assertEquals(ServerErrorRedactor.DETAIL_REDACTED, m.getDetail());
        assertEquals(ServerErrorRedactor.HINT_REDACTED, m.getHint());
        assertEquals(ServerErrorRedactor.INTERNAL_QUERY_REDACTED, m.getInternalQuery());
        assertEquals(0, m.getInternalPosition());
        assertEquals("P0001", m.getSQLState());
        assertTrue(ServerErrorRedactor.raisedByServerCode(new ServerErrorFields(fields("Mx"))),
                "a report that does not say where it was raised is taken for user text");
    }

    @Test
    void noticesAreRebuiltAsPgjdbcWarningsAndChainedAgain() {
        PSQLWarning first = new PSQLWarning(new ServerErrorMessage("SNOTICE\0C00000\0Mmember " + SECRET
                + "\0Fpl_exec.c\0Rexec_stmt_raise\0"));
        PSQLWarning second = new PSQLWarning(new ServerErrorMessage("SNOTICE\0C00000\0Mmember 2\0Fpl_exec.c\0"
                + "Rexec_stmt_raise\0"));
        first.setNextWarning(second);
        SQLWarning redacted = redactor.redact(first, true);
        assertInstanceOf(PSQLWarning.class, redacted);
        assertFalse(redacted.getMessage().contains(SECRET));
        assertInstanceOf(PSQLWarning.class, redacted.getNextWarning());
        assertNull(redacted.getNextWarning().getNextWarning());
    }

    @Test
    void batchExceptionsLoseTheEntryTextAndChainRedactedErrors() {
        PSQLException entry = serverError(fields("SERROR", "C23505",
                "Mduplicate key value violates unique constraint \"members_ssn_key\"",
                "DKey (ssn)=(" + SECRET + ") already exists.", "tmembers", "Fnbtinsert.c", "R_bt_check_unique"));
        BatchUpdateException batch = new BatchUpdateException("Batch entry 3 INSERT INTO members VALUES ('" + SECRET
                + "') was aborted: " + entry.getMessage(), "23505", 0, new long[] {1, 1, 1}, entry);
        batch.setNextException(entry);
        BatchUpdateException redacted = assertInstanceOf(BatchUpdateException.class, redactor.redact(batch, true));
        for (Throwable t : redacted) assertFalse(t.toString().contains(SECRET), t.toString());
        assertTrue(redacted.getMessage().startsWith("Batch entry 3 "), redacted.getMessage());
        assertEquals(3, redacted.getLargeUpdateCounts().length);
        PSQLException next = assertInstanceOf(PSQLException.class, redacted.getNextException());
        assertSame(next, redacted.getCause(), "cause and next exception stay one object, as pgjdbc made them");
        assertEquals("Key (ssn)=(redacted) already exists.", next.getServerErrorMessage().getDetail());
    }

    @Test
    void errorsOnUnprotectedTablesAreReturnedAsTheyAre() {
        PSQLException original = serverError(fields("SERROR", "C23514", "Mnew row for relation \"scores\" violates",
                "DFailing row contains (1, 77).", "tscores", "Fexecmain.c", "RExecConstraints"));
        assertSame(original, redactor.redact(original, false));
        // unless the error names a protected table: a trigger or cascade of another table's statement
        PSQLException reaching = serverError(fields("SERROR", "C23514", "Mnew row for relation \"members\" violates",
                "DFailing row contains (" + SECRET + ").", "tmembers", "Fexecmain.c", "RExecConstraints"));
        assertFalse(redactor.redact(reaching, false).getMessage().contains(SECRET));
    }

    @Test
    void clientSideErrorsKeepValueFreeClassesAndWardensOwnRefusalsStay() {
        PSQLException io = new PSQLException("An I/O error occurred while sending to the backend.",
                PSQLState.CONNECTION_FAILURE);
        assertSame(io, redactor.redact(io, true));
        PSQLException conversion = new PSQLException("Bad value for type int : " + SECRET, PSQLState.NUMERIC_VALUE_OUT_OF_RANGE);
        SQLException withheld = redactor.redact(conversion, true);
        assertFalse(withheld.getMessage().contains(SECRET), withheld.getMessage());
        assertEquals(conversion.getSQLState(), withheld.getSQLState());
        SQLException refusal = SqlStates.denied("access to members.ssn denied for role analyst");
        assertSame(refusal, redactor.redact(refusal, true));
    }
}
