package dev.warden.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.testkit.CustomersExample;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * A protected table altered outside Warden after Warden analysed a {@code SELECT *} on it: the columns the
 * cached analysis expects are now elsewhere. Warden must not decode the wrong column (it would show one
 * column's ciphertext as another's data); it refuses that one execution and analyses the table anew.
 */
class TableChangedOutsideWardenIT {
    private static final String EMAIL = "kim.ho@example.com";

    @Test
    void aSameWidthReorderIsCaughtOnceAndTheRetrySeesTheNewShape() throws Exception {
        CustomersExample db = CustomersExample.create();
        // the example lets no role read every column, so SELECT * is refused for all: let billing see them
        Path policyDirectory = CustomersExample.newPolicyDirectoryWith("read: { support: plaintext, analyst: masked }",
                "read: { support: plaintext, analyst: masked, billing: masked }");
        try (Connection warden = db.as(policyDirectory, "billing", "order-processing")) {
            try (PreparedStatement ps = warden.prepareStatement(
                    "INSERT INTO customers (name, email, country) VALUES (?, ?, ?)")) {
                ps.setString(1, "Kim");
                ps.setString(2, EMAIL);
                ps.setString(3, "HK");
                ps.executeUpdate();
            }
            try (Statement s = warden.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM customers")) {
                assertTrue(rs.next());
                assertEquals("Kim", rs.getString("name"));
            }
            try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
                // same number of columns, every column after id one place to the left
                s.execute("ALTER TABLE customers DROP COLUMN name");
                s.execute("ALTER TABLE customers ADD COLUMN name text");
            }
            try (Statement s = warden.createStatement()) {
                SQLException changed = assertThrows(SQLException.class, () -> s.executeQuery("SELECT * FROM customers"));
                assertEquals("0A000", changed.getSQLState(), changed.getMessage());
                assertTrue(changed.getMessage().contains("retry"), changed.getMessage());
                try (ResultSet rs = s.executeQuery("SELECT * FROM customers")) {
                    assertTrue(rs.next());
                    assertEquals(EMAIL, rs.getString("email"));
                    assertEquals(EMAIL, rs.getString(2));
                    assertNull(rs.getString("name"));
                    assertEquals("name", rs.getMetaData().getColumnLabel(8));
                }
            }
        }
    }
}
