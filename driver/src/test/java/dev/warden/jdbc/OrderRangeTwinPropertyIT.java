package dev.warden.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.OrderColumnsExample;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Ranges on order columns through the driver give exactly the rows of the same statement on the plaintext twin, for
 * jqwik-generated rows and bounds: negative numbers and extremes, equal values, NULLs, numerics of mixed scale,
 * dates across years and eras, Unicode text (under COLLATE "C"); every operator, BETWEEN and NOT BETWEEN, bounds bound
 * as parameters and written inline.
 */
class OrderRangeTwinPropertyIT {

    private static CustomersExample db;
    private static Connection warden;
    private static Connection raw;

    private static synchronized void open() throws Exception {
        if (db != null) return;
        db = CustomersExample.create();
        Path policy = OrderColumnsExample.policyDirectory(OrderColumnsExample.POLICY);
        OrderColumnsExample.createWithCompanions(db, policy);
        warden = db.as(policy, "support", null);
        raw = db.raw();
    }

    /** One generated row: amount, price, born, label (each may be NULL). */
    record Row(Integer amount, BigDecimal price, LocalDate born, String label) {}

    static Arbitrary<Integer> amounts() {
        return Arbitraries.oneOf(Arbitraries.integers().between(-20, 20),
                Arbitraries.of(Integer.MIN_VALUE, Integer.MAX_VALUE, 0, -1), Arbitraries.integers());
    }

    static Arbitrary<BigDecimal> prices() {
        return Arbitraries.oneOf(Arbitraries.bigDecimals().between(new BigDecimal("-1000"), new BigDecimal("1000"))
                        .ofScale(3), Arbitraries.of(new BigDecimal("1.5"), new BigDecimal("1.50"), BigDecimal.ZERO,
                        new BigDecimal("-0.001"), new BigDecimal("99999999999999999999.999999")),
                Arbitraries.integers().between(-5, 5).map(BigDecimal::valueOf));
    }

    static Arbitrary<LocalDate> dates() {
        return Arbitraries.oneOf(Arbitraries.longs().between(-719_000, 100_000).map(LocalDate::ofEpochDay),
                Arbitraries.of(LocalDate.of(1999, 12, 31), LocalDate.of(2000, 1, 1), LocalDate.of(1, 1, 1)));
    }

    static Arbitrary<String> labels() {
        // whole code points (an emoji is two chars), so that no value holds an unpaired surrogate
        return Arbitraries.oneOf(Arbitraries.of("a", "A", "b", "z", " ", "é", "€", "\uD83D\uDE00").list().ofMaxSize(4)
                        .map(parts -> String.join("", parts)),
                Arbitraries.strings().withChars("ab").ofMinLength(14).ofMaxLength(18), Arbitraries.just(""));
    }

    static <T> Arbitrary<T> orNull(Arbitrary<T> a) {
        return a.injectNull(0.15);
    }

    @Provide
    Arbitrary<List<Row>> rows() {
        return Combinators.combine(orNull(amounts()), orNull(prices()), orNull(dates()), orNull(labels()))
                .as(Row::new).list().ofMinSize(1).ofMaxSize(10);
    }

    @Provide
    Arbitrary<String> operators() {
        return Arbitraries.of("<", "<=", ">", ">=", "BETWEEN", "NOT BETWEEN");
    }

    @Provide
    Arbitrary<Integer> columns() {
        return Arbitraries.integers().between(0, 3);
    }

    @Provide
    Arbitrary<List<Object>> bounds() {
        return Combinators.combine(amounts(), prices(), dates(), labels(), amounts(), prices(), dates(), labels())
                .as((a, p, d, l, a2, p2, d2, l2) -> List.<Object>of(a, p, d, l, a2, p2, d2, l2));
    }

    @Property(tries = 60)
    void answersAreThePlaintextTwins(@ForAll("rows") List<Row> rows, @ForAll("operators") String op,
                                     @ForAll("columns") int column, @ForAll("bounds") List<Object> bounds,
                                     @ForAll boolean inline) throws Exception {
        open();
        write(rows);
        String name = new String[] {"amount", "price", "born", "label COLLATE \"C\""}[column];
        Object lo = bounds.get(column);
        Object hi = bounds.get(column + 4);
        boolean between = op.endsWith("BETWEEN");
        String where = between ? name + " " + op + " " + (inline ? literal(lo) : "?") + " AND " + (inline ? literal(hi) : "?")
                : name + " " + op + " " + (inline ? literal(lo) : "?");
        Object[] values = inline ? new Object[0] : between ? new Object[] {lo, hi} : new Object[] {lo};
        assertEquals(ids(raw, "SELECT id FROM ledger_twin WHERE " + where + " ORDER BY id", values),
                ids(warden, "SELECT id FROM ledger WHERE " + where + " ORDER BY id", values), where + " " + rows);
    }

    private static String literal(Object v) {
        if (v instanceof Number) return v.toString();
        return "'" + v.toString().replace("'", "''") + "'";
    }

    private static void write(List<Row> rows) throws SQLException {
        try (Statement w = warden.createStatement(); Statement r = raw.createStatement()) {
            w.executeUpdate("DELETE FROM ledger");
            r.executeUpdate("DELETE FROM ledger_twin");
        }
        String sql = "INSERT INTO %s (id, amount, price, born, label) VALUES (?, ?, ?, ?, ?)";
        try (PreparedStatement w = warden.prepareStatement(sql.formatted("ledger"));
             PreparedStatement r = raw.prepareStatement(sql.formatted("ledger_twin"))) {
            for (int i = 0; i < rows.size(); i++) {
                Row row = rows.get(i);
                for (PreparedStatement ps : new PreparedStatement[] {w, r}) {
                    ps.setInt(1, i + 1);
                    ps.setObject(2, row.amount(), java.sql.Types.INTEGER);
                    ps.setObject(3, row.price(), java.sql.Types.NUMERIC);
                    ps.setObject(4, row.born(), java.sql.Types.DATE);
                    ps.setObject(5, row.label(), java.sql.Types.VARCHAR);
                    ps.addBatch();
                }
            }
            w.executeBatch();
            r.executeBatch();
        }
    }

    private static String ids(Connection c, String sql, Object... values) {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) ps.setObject(i + 1, values[i]);
            List<Integer> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(rs.getInt(1));
            }
            return out.toString();
        } catch (SQLException e) {
            return "error " + e.getSQLState();
        }
    }
}
