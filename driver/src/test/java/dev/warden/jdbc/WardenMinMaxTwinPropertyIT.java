package dev.warden.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.SortTwins;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * MIN and MAX over encrypted columns, which Warden computes itself, give what PostgreSQL gives for the same statement
 * on the plaintext twin ({@link SortTwins}): one row always (NULL for no rows or only NULLs), every comparable type
 * (numerics by value, with the scale PostgreSQL keeps among ties, text by code point under COLLATE "C"), labels and
 * aliases, column types in the metadata, with and without WHERE, as plain and prepared statements.
 */
class WardenMinMaxTwinPropertyIT {

    private static Connection warden;
    private static Connection raw;

    private static synchronized void open() throws Exception {
        if (warden != null) return;
        CustomersExample db = CustomersExample.create();
        Path policy = SortTwins.policyDirectory();
        raw = db.raw();
        SortTwins.create(raw);
        warden = db.as(policy, "reader", null);
    }

    /** One select-list item: MIN or MAX of an encrypted column, with or without an alias. */
    record Item(boolean max, String column, String alias) {
        String sql() {
            String argument = column.equals("label") ? "label COLLATE \"C\"" : column;
            return (max ? "MAX(" : "min(") + argument + ")" + (alias == null ? "" : " AS " + alias);
        }
    }

    @Provide
    Arbitrary<List<SortTwins.Row>> rows() {
        return SortTwins.rows();
    }

    @Provide
    Arbitrary<List<Item>> items() {
        Arbitrary<Item> item = Combinators.combine(Arbitraries.of(true, false),
                Arbitraries.of(SortTwins.COLUMNS.subList(0, 6)),
                Arbitraries.of("lo", "\"Top\"", "x1").injectNull(0.6)).as(Item::new);
        return item.list().ofMinSize(1).ofMaxSize(3);
    }

    @Provide
    Arbitrary<String> wheres() {
        return Arbitraries.of("", " WHERE grp = 1", " WHERE grp > 5", " WHERE big = 1", " WHERE n IS NOT NULL",
                " WHERE id <= 3 OR note = 'B'");
    }

    @Property(tries = 150)
    void minAndMaxAreThePlaintextTwins(@ForAll("rows") List<SortTwins.Row> rows, @ForAll("items") List<Item> items,
                                       @ForAll("wheres") String where) throws Exception {
        open();
        SortTwins.write(warden, raw, rows);
        List<String> sql = new ArrayList<>();
        for (Item i : items) sql.add(i.sql());
        String select = "SELECT " + String.join(", ", sql) + " FROM ";
        List<Object> expected;
        List<String> expectedShape;
        try (Statement s = raw.createStatement(); ResultSet rs = s.executeQuery(select + "ledger_twin" + where)) {
            expectedShape = shape(rs.getMetaData());
            expected = row(rs);
        }
        try (Statement s = warden.createStatement(); ResultSet rs = s.executeQuery(select + "ledger" + where)) {
            assertEquals(expectedShape, shape(rs.getMetaData()), "metadata of " + select + where);
            assertEquals(expected, row(rs), "plain " + select + where + " over " + rows);
        }
        try (PreparedStatement p = warden.prepareStatement(select + "ledger WHERE grp IS DISTINCT FROM ?")) {
            p.setInt(1, 7);
            try (ResultSet rs = p.executeQuery()) {
                List<Object> all;
                try (Statement s = raw.createStatement(); ResultSet twin = s.executeQuery(select + "ledger_twin")) {
                    all = row(twin);
                }
                assertEquals(all, row(rs), "prepared " + select + " over " + rows);
            }
        }
    }

    /** Label, JDBC type and type name of each column. */
    private static List<String> shape(ResultSetMetaData md) throws Exception {
        List<String> out = new ArrayList<>();
        for (int c = 1; c <= md.getColumnCount(); c++) {
            out.add(md.getColumnLabel(c) + ":" + md.getColumnType(c) + ":" + md.getColumnTypeName(c));
        }
        return out;
    }

    /** The one row: each value as getObject gives it, and wasNull. */
    private static List<Object> row(ResultSet rs) throws Exception {
        List<Object> out = new ArrayList<>();
        if (!rs.next()) throw new AssertionError("no row");
        for (int c = 1; c <= rs.getMetaData().getColumnCount(); c++) {
            Object v = rs.getObject(c);
            // a numeric's plain text shows its scale (PostgreSQL keeps the later of tied values: 1.5 or 1.50)
            out.add(v instanceof BigDecimal d ? d.toPlainString() : v == null ? null : v.toString());
            out.add(rs.wasNull());
        }
        if (rs.next()) throw new AssertionError("more than one row");
        return out;
    }
}
