package dev.warden.jdbc;

import static org.junit.jupiter.api.Assertions.assertNull;

import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.SortTwins;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * ORDER BY over encrypted columns, which Warden sorts itself, gives the sort keys of the same statement on a
 * plaintext twin row by row ({@link SortTwins}): every sortable type, ASC/DESC, NULLS FIRST/LAST and the defaults,
 * one to three keys mixing encrypted and plain columns, text outside the BMP under COLLATE "C"; LIMIT and OFFSET
 * written inline, bound as parameters, and setMaxRows.
 */
class WardenSortTwinPropertyIT {

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

    @Provide
    Arbitrary<List<SortTwins.Row>> rows() {
        return SortTwins.rows();
    }

    @Provide
    Arbitrary<List<SortTwins.Item>> orderBy() {
        return SortTwins.orderBy();
    }

    @Provide
    Arbitrary<Integer> counts() {
        return Arbitraries.integers().between(0, 6);
    }

    @Property(tries = 120)
    void keysComeInThePlaintextTwinsOrder(@ForAll("rows") List<SortTwins.Row> rows,
                                          @ForAll("orderBy") List<SortTwins.Item> items,
                                          @ForAll("counts") int limit, @ForAll("counts") int offset) throws Exception {
        open();
        SortTwins.write(warden, raw, rows);
        List<String> keys = SortTwins.keyColumns(items);
        for (String tail : new String[] {"", " LIMIT " + limit, " OFFSET " + offset, " LIMIT " + limit + " OFFSET " + offset,
                " OFFSET " + offset + " ROWS FETCH FIRST " + limit + " ROWS ONLY"}) {
            List<List<Object>> expected;
            try (Statement s = raw.createStatement(); ResultSet rs = s.executeQuery(SortTwins.query("ledger_twin", items, tail))) {
                expected = SortTwins.keysOf(rs, keys);
            }
            try (Statement s = warden.createStatement(); ResultSet rs = s.executeQuery(SortTwins.query("ledger", items, tail))) {
                assertNull(SortTwins.difference(SortTwins.keysOf(rs, keys), expected), "plain statement " + items + tail);
            }
        }
        // counts bound as parameters, and setMaxRows applied after the sort
        List<List<Object>> expected;
        String bound = " LIMIT ? OFFSET ?";
        try (PreparedStatement p = raw.prepareStatement(SortTwins.query("ledger_twin", items, bound))) {
            p.setInt(1, limit);
            p.setInt(2, offset);
            try (ResultSet rs = p.executeQuery()) {
                expected = SortTwins.keysOf(rs, keys);
            }
        }
        try (PreparedStatement p = warden.prepareStatement(SortTwins.query("ledger", items, bound))) {
            p.setInt(1, limit);
            p.setInt(2, offset);
            try (ResultSet rs = p.executeQuery()) {
                assertNull(SortTwins.difference(SortTwins.keysOf(rs, keys), expected), "prepared " + items + bound);
            }
        }
        try (Statement r = raw.createStatement(); Statement w = warden.createStatement()) {
            r.setMaxRows(limit);
            w.setMaxRows(limit);
            try (ResultSet a = r.executeQuery(SortTwins.query("ledger_twin", items, ""));
                 ResultSet b = w.executeQuery(SortTwins.query("ledger", items, ""))) {
                assertNull(SortTwins.difference(SortTwins.keysOf(b, keys), SortTwins.keysOf(a, keys)),
                        "setMaxRows(" + limit + ") " + items);
            }
        }
    }
}
