package dev.warden.testkit;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * The twin-table oracle for ORDER BY over encrypted columns, which Warden sorts itself (shared by the driver's and
 * the gateway's tests): table {@code ledger} holds one encrypted column of each sortable type ({@code n} integer,
 * {@code big} bigint, {@code amount} numeric, {@code day} date, {@code at} timestamp, {@code label} text) beside two
 * plain ones ({@code grp} integer, {@code note} text); {@code ledger_twin} holds the same rows in plaintext. A query
 * through Warden must give, row by row, the sort keys the twin gives (read with plain pgjdbc): those are determined
 * whatever order PostgreSQL leaves ties in, while the rest of a row is not. Role {@code reader} reads everything in
 * plaintext, {@code viewer} sees {@code amount} masked; the policy's {@code sort-row-cap} is {@link #CAP}.
 */
public final class SortTwins {

    /** The policy's sort-row-cap. */
    public static final int CAP = 60;

    public static final String POLICY = """
            keyset: demo-keyset.json
            sort-row-cap: 60
            roles:
              reader: {}
              viewer: {}
            tables:
              ledger:
                n: { encrypt: randomized, type: integer, read: { reader: plaintext, viewer: plaintext }, write: [reader] }
                big: { encrypt: deterministic, type: bigint, read: { reader: plaintext, viewer: plaintext }, write: [reader] }
                amount:
                  encrypt: randomized
                  type: numeric
                  read: { reader: plaintext, viewer: masked }
                  mask: redact
                  write: [reader]
                day: { encrypt: randomized, type: date, read: { reader: plaintext, viewer: plaintext }, write: [reader] }
                at: { encrypt: randomized, type: timestamp, read: { reader: plaintext, viewer: plaintext }, write: [reader] }
                label: { encrypt: randomized, type: text, read: { reader: plaintext, viewer: plaintext }, write: [reader] }
            audit:
              path: warden-audit.jsonl
            """;

    /** Columns and their Java types, in table order after {@code id}. */
    public static final List<String> COLUMNS = List.of("n", "big", "amount", "day", "at", "label", "grp", "note");
    private static final List<Class<?>> TYPES = List.of(Integer.class, Long.class, BigDecimal.class, LocalDate.class,
            LocalDateTime.class, String.class, Integer.class, String.class);

    /** One row's values, by {@link #COLUMNS}; any may be null. */
    public record Row(Integer n, Long big, BigDecimal amount, LocalDate day, LocalDateTime at, String label, Integer grp,
                      String note) {
        Object get(int i) {
            return switch (i) {
                case 0 -> n;
                case 1 -> big;
                case 2 -> amount;
                case 3 -> day;
                case 4 -> at;
                case 5 -> label;
                case 6 -> grp;
                default -> note;
            };
        }
    }

    private SortTwins() {}

    /** A private policy directory with {@link #POLICY}. */
    public static Path policyDirectory() throws Exception {
        Path dir = CustomersExample.newPolicyDirectory();
        Files.writeString(dir.resolve("policy.yaml"), POLICY);
        return dir;
    }

    /** Creates both tables (once per database). */
    public static void create(Connection raw) throws SQLException {
        try (Statement s = raw.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS ledger (id int PRIMARY KEY, n bytea, big bytea, amount bytea,"
                    + " day bytea, at bytea, label bytea, grp int, note text)");
            s.execute("CREATE TABLE IF NOT EXISTS ledger_twin (id int PRIMARY KEY, n int, big bigint, amount numeric,"
                    + " day date, at timestamp, label text, grp int, note text)");
        }
    }

    private static <T> Arbitrary<T> orNull(Arbitrary<T> a) {
        return Arbitraries.oneOf(a, a, a, Arbitraries.just(null));
    }

    /** Rows with ties, extremes, negative values, NULLs, dates across years, numerics of mixed scale, non-BMP text. */
    public static Arbitrary<List<Row>> rows() {
        Arbitrary<Integer> n = Arbitraries.oneOf(Arbitraries.integers().between(-3, 3),
                Arbitraries.of(Integer.MIN_VALUE, Integer.MAX_VALUE, -1_000_000, 1_000_000));
        Arbitrary<Long> big = Arbitraries.oneOf(Arbitraries.longs().between(-2, 2),
                Arbitraries.of(Long.MIN_VALUE, Long.MAX_VALUE, -(1L << 40), 1L << 40));
        Arbitrary<BigDecimal> amount = Arbitraries.of("1.5", "1.50", "-1.5", "0", "0.00", "-0.001", "100", "1e20",
                "-99999999.99", "2.25", "1.499999").map(BigDecimal::new);
        Arbitrary<LocalDate> day = Arbitraries.oneOf(Arbitraries.of(LocalDate.of(1999, 12, 31),
                LocalDate.of(2000, 1, 1), LocalDate.of(1969, 12, 31), LocalDate.of(1970, 1, 1)),
                Arbitraries.integers().between(-30000, 40000).map(d -> LocalDate.ofEpochDay(d)));
        Arbitrary<LocalDateTime> at = Arbitraries.oneOf(Arbitraries.of(LocalDateTime.of(2020, 1, 1, 0, 0),
                LocalDateTime.of(2019, 12, 31, 23, 59, 59, 999_999_000), LocalDateTime.of(1960, 6, 1, 12, 0)),
                Arbitraries.longs().between(-2_000_000_000L, 4_000_000_000L).map(s -> LocalDateTime.of(1970, 1, 1, 0, 0)
                        .plusSeconds(s)));
        Arbitrary<String> label = Arbitraries.oneOf(Arbitraries.of("", "a", "B", "b", "ab", "aB", "é", "Z"),
                Arbitraries.of("a", "B", "é", "\uFFFD", "\uD83D\uDE00", "\uD800\uDC00", "z", "\u00A0")
                        .list().ofMaxSize(3).map(l -> String.join("", l)));
        Arbitrary<Integer> grp = Arbitraries.integers().between(-1, 2);
        Arbitrary<String> note = Arbitraries.of("a", "B", "b", "é", "Å");
        Arbitrary<Row> row = Combinators.combine(List.of(orNull(n).map(Object.class::cast),
                orNull(big).map(Object.class::cast), orNull(amount).map(Object.class::cast),
                orNull(day).map(Object.class::cast), orNull(at).map(Object.class::cast),
                orNull(label).map(Object.class::cast), orNull(grp).map(Object.class::cast),
                orNull(note).map(Object.class::cast)))
                .as(v -> new Row((Integer) v.get(0), (Long) v.get(1), (BigDecimal) v.get(2), (LocalDate) v.get(3),
                        (LocalDateTime) v.get(4), (String) v.get(5), (Integer) v.get(6), (String) v.get(7)));
        return row.list().ofMinSize(0).ofMaxSize(12);
    }

    /** One ORDER BY item: a column of {@link #COLUMNS}, its direction and NULLS clause ("" for the default). */
    public record Item(String column, String direction, String nulls) {
        public String sql() {
            String key = column.equals("label") ? "label COLLATE \"C\"" : column;
            return key + (direction.isEmpty() ? "" : " " + direction) + (nulls.isEmpty() ? "" : " " + nulls);
        }
    }

    /** One to three ORDER BY items, at least one over an encrypted column. */
    public static Arbitrary<List<Item>> orderBy() {
        Arbitrary<Item> item = Combinators.combine(Arbitraries.of(COLUMNS), Arbitraries.of("", "ASC", "DESC"),
                Arbitraries.of("", "NULLS FIRST", "NULLS LAST")).as(Item::new);
        return item.list().ofMinSize(1).ofMaxSize(3)
                .filter(l -> l.stream().anyMatch(i -> COLUMNS.indexOf(i.column()) < 6));
    }

    /** Replaces the rows of both tables with {@code rows} (ids from 1), through Warden and plainly. */
    public static void write(Connection warden, Connection raw, List<Row> rows) throws SQLException {
        try (Statement w = warden.createStatement(); Statement r = raw.createStatement()) {
            w.executeUpdate("DELETE FROM ledger");
            r.executeUpdate("DELETE FROM ledger_twin");
        }
        String columns = "id, " + String.join(", ", COLUMNS);
        String values = "?, ?, ?, ?, ?, ?, ?, ?, ?";
        try (PreparedStatement w = warden.prepareStatement("INSERT INTO ledger (" + columns + ") VALUES (" + values + ")");
             PreparedStatement r = raw.prepareStatement("INSERT INTO ledger_twin (" + columns + ") VALUES (" + values + ")")) {
            for (int i = 0; i < rows.size(); i++) {
                for (PreparedStatement p : List.of(w, r)) {
                    p.setInt(1, i + 1);
                    for (int c = 0; c < COLUMNS.size(); c++) p.setObject(c + 2, rows.get(i).get(c));
                    p.executeUpdate();
                }
            }
        }
    }

    /**
     * The sort keys of each row of {@code rs}, in order: the values of {@code keys} (columns of the result by label),
     * numerics compared by value (1.5 and 1.50 tie, so either may come first).
     */
    public static List<List<Object>> keysOf(ResultSet rs, List<String> keys) throws SQLException {
        List<List<Object>> out = new ArrayList<>();
        while (rs.next()) {
            List<Object> row = new ArrayList<>();
            for (String k : keys) {
                Object v = rs.getObject(k, TYPES.get(COLUMNS.indexOf(k)));
                row.add(v instanceof BigDecimal d ? d.stripTrailingZeros().toPlainString() : v);
            }
            out.add(row);
        }
        return out;
    }

    /** The distinct key columns of {@code items}, in order. */
    public static List<String> keyColumns(List<Item> items) {
        return items.stream().map(Item::column).distinct().toList();
    }

    /** {@code SELECT id, <keys> FROM table ORDER BY <items>}. */
    public static String query(String table, List<Item> items, String tail) {
        List<String> sql = new ArrayList<>();
        for (Item i : items) sql.add(i.sql());
        return "SELECT id, " + String.join(", ", keyColumns(items)) + " FROM " + table + " ORDER BY "
                + String.join(", ", sql) + tail;
    }

    /** Null when both sides give the same keys row by row, else a description of the first difference. */
    public static String difference(List<List<Object>> warden, List<List<Object>> twin) {
        if (warden.size() != twin.size()) return "rows: " + warden.size() + " through Warden, " + twin.size() + " twin";
        for (int i = 0; i < twin.size(); i++) {
            if (!Objects.equals(warden.get(i), twin.get(i))) {
                return "row " + (i + 1) + ": " + warden.get(i) + " through Warden, " + twin.get(i) + " twin; all: "
                        + warden + " vs " + twin;
            }
        }
        return null;
    }

    /**
     * A new policy directory and the ledger and its twin holding ten fixed rows (NULLs, ties, numerics of mixed
     * sign), written through Warden as role reader: the set-up of the ORDER BY and MIN/MAX integration tests.
     *
     * @return the policy directory
     */
    public static Path seedTenRows(CustomersExample db) throws Exception {
        Path policy = policyDirectory();
        try (Connection raw = db.raw()) {
            create(raw);
        }
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            rows.add(new Row(i % 3 == 0 ? null : 5 - i, (long) i, new BigDecimal(i % 2 == 0 ? "1.5" : "-2"),
                    null, null, "v" + i, i % 4, "n" + (9 - i)));
        }
        try (Connection reader = db.as(policy, "reader", null); Connection raw = db.raw()) {
            write(reader, raw, rows);
        }
        return policy;
    }
}
