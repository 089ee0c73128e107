package dev.warden.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.warden.testkit.SecretColumnsExample;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Red-team finding of session 7 against the driver: {@code U&"!0063ustomers" UESCAPE '!'} is customers to the
 * server, but the lexer decoded the name with the default escape and read {@code !0063ustomers}: the statement named
 * no protected table and passed through unanalysed, handing the analyst the plaintext of the rules-only hkid. Fixed
 * in the lexer: such a name may be any name, and the statement is refused (0A000).
 */
class RedTeamSession7LexerIT {

    @Test
    void aUnicodeEscapedNameWithUescapeCannotHideAProtectedTable() throws Exception {
        SecretColumnsExample example = SecretColumnsExample.create();
        try (Connection analyst = example.db().as(example.policyDirectory(), "analyst", null)) {
            for (String sql : List.of("SELECT hkid, ssn FROM U&\"!0063ustomers\" UESCAPE '!'",
                    "SELECT hkid FROM U&\"c!+000075stomers\" /* escape */ uescape '!' WHERE hkid IS NOT NULL",
                    "SELECT * FROM public.U&\"#0063ustomers\" UESCAPE '#'")) {
                SQLException e = assertThrows(SQLException.class, () -> {
                    try (Statement s = analyst.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                        while (rs.next()) {
                            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                                String v = rs.getString(i);
                                assertFalse(v != null && v.contains(SecretColumnsExample.HKID), sql + " returned " + v);
                            }
                        }
                    }
                }, sql);
                assertEquals("0A000", e.getSQLState(), sql + ": " + e.getMessage());
            }
        }
    }
}
