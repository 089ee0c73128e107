package dev.warden.gateway;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The plaintext twin of the customers example's {@code customers}: {@code customers_plain} holds, in plain text
 * columns, the rows written to {@code customers} through the gateway (encrypted there), so that a statement's answer
 * through the gateway can be compared with the same statement on the twin ({@link #twin}). {@code customers}'s
 * unique email constraint is dropped, so that rows may share an email (what equality and grouping are tested on).
 */
final class CustomersPlainTwin {

    private CustomersPlainTwin() {}

    /**
     * Creates {@code customers_plain (id serial, <columns> text)} and writes each of {@code rows} (values of
     * {@code columns}, in order) to it with {@code raw} and to {@code customers} through {@code gateway}.
     */
    static void seed(Connection gateway, Connection raw, List<String> columns, String[][] rows) throws SQLException {
        try (Statement s = raw.createStatement()) {
            s.execute("CREATE TABLE customers_plain (id serial, " + String.join(" text, ", columns) + " text)");
            s.execute("ALTER TABLE customers DROP CONSTRAINT customers_email_key");
        }
        String values = "?" + ", ?".repeat(columns.size() - 1);
        for (String[] row : rows) {
            for (Connection c : List.of(gateway, raw)) {
                String table = c == raw ? "customers_plain" : "customers";
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " ("
                        + String.join(", ", columns) + ") VALUES (" + values + ")")) {
                    for (int i = 0; i < columns.size(); i++) ps.setString(i + 1, row[i]);
                    ps.executeUpdate();
                }
            }
        }
    }

    /** {@code sql} on the twin: each {@code customers} it names becomes {@code customers_plain}. */
    static String twin(String sql) {
        return sql.replace(" customers", " customers_plain");
    }
}
