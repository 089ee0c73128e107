package dev.warden.cli.discover;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Finds the columns holding personal data: samples up to {@code sampleSize} rows of each table (spread over a
 * large table with {@code TABLESAMPLE BERNOULLI}, the first rows of a small one), runs every
 * {@link ValueDetector} over the non-null values of its text-like columns, and asks {@link ColumnNameDetector}
 * of every column's name. A detector that matches at least {@link #MIN_SHARE} of a column's sampled values names
 * its kind; failing that, the column's name may.
 *
 * <p>Values live only in the loop that counts them: none is kept, logged or put in a message (errors name the
 * table and the SQLState). Not thread-safe; one per run.
 */
public final class Discovery {

    /** The share of a column's sampled values a detector must match: a column of mixed content is still found. */
    public static final double MIN_SHARE = 0.3;

    /** Detectors in order of precedence: a more specific kind wins a tie (a card number over a phone number). */
    private static final List<ValueDetector> DETECTORS = List.of(new HkidDetector(), new IbanDetector(),
            new CardNumberDetector(), new EmailDetector(), new PhoneNumberDetector());

    /** A table that could not be sampled: named, with the database's SQLState, never with its error's detail. */
    public record Skipped(String table, String sqlState) {}

    private final List<Finding> findings = new ArrayList<>();
    private final List<Skipped> skipped = new ArrayList<>();
    private long tablesScanned;
    private long columnsScanned;

    /** Scans every table of {@code scan} through {@code connection} (a plain JDBC connection). */
    public static Discovery run(Connection connection, SchemaScan scan, int sampleSize) {
        Discovery d = new Discovery();
        for (SchemaScan.Table table : scan.tables()) d.scan(connection, scan, table, sampleSize);
        return d;
    }

    public List<Finding> findings() {
        return List.copyOf(findings);
    }

    public List<Skipped> skipped() {
        return List.copyOf(skipped);
    }

    public long tablesScanned() {
        return tablesScanned;
    }

    public long columnsScanned() {
        return columnsScanned;
    }

    private void scan(Connection connection, SchemaScan scan, SchemaScan.Table table, int sampleSize) {
        tablesScanned++;
        List<SchemaScan.Column> columns = table.columns();
        columnsScanned += columns.size();
        List<SchemaScan.Column> sampledColumns = columns.stream().filter(SchemaScan.Column::textLike)
                // Warden's own companions hold keyed tokens, not personal data
                .filter(c -> !c.name().endsWith("_match")).toList();
        long[] nonNull = new long[sampledColumns.size()];
        long[][] matched = new long[sampledColumns.size()][DETECTORS.size()];
        if (!sampledColumns.isEmpty()) {
            try {
                sample(connection, table, sampledColumns, sampleSize, nonNull, matched);
            } catch (SQLException e) {
                skipped.add(new Skipped(name(table), e.getSQLState()));
                try {
                    if (!connection.getAutoCommit()) connection.rollback();
                } catch (SQLException ignored) {
                    // the next table's query reports a connection that is gone
                }
            }
        }
        for (SchemaScan.Column column : columns) {
            int i = sampledColumns.indexOf(column);
            Finding f = null;
            if (i >= 0 && nonNull[i] > 0) {
                int best = -1;
                for (int d = 0; d < DETECTORS.size(); d++) {
                    if (matched[i][d] >= MIN_SHARE * nonNull[i] && (best < 0 || matched[i][d] > matched[i][best])) best = d;
                }
                if (best >= 0) {
                    f = new Finding(table.schema(), table.name(), column.name(), column.dataType(),
                            DETECTORS.get(best).kind(), matched[i][best], nonNull[i], false,
                            scan.lookup(table.schema(), table.name(), column.name()));
                }
            }
            if (f == null) {
                String kind = ColumnNameDetector.kindOf(column.name());
                if (kind != null) {
                    f = new Finding(table.schema(), table.name(), column.name(), column.dataType(), kind, 0,
                            i >= 0 ? nonNull[i] : 0, true, scan.lookup(table.schema(), table.name(), column.name()));
                }
            }
            if (f != null) findings.add(f);
        }
    }

    private static void sample(Connection connection, SchemaScan.Table table, List<SchemaScan.Column> columns,
                               int sampleSize, long[] nonNull, long[][] matched) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT ");
        for (int i = 0; i < columns.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append(quote(columns.get(i).name())).append("::text");
        }
        sql.append(" FROM ").append(quote(table.schema())).append('.').append(quote(table.name()));
        if (table.estimatedRows() > 10.0 * sampleSize) {
            // twice the share needed, so that LIMIT rather than chance decides how many rows come back
            double percent = Math.min(100.0, 200.0 * sampleSize / table.estimatedRows());
            sql.append(String.format(Locale.ROOT, " TABLESAMPLE BERNOULLI (%.6f)", percent));
        }
        sql.append(" LIMIT ").append(sampleSize);
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql.toString())) {
            while (rs.next()) {
                for (int i = 0; i < columns.size(); i++) {
                    String value = rs.getString(i + 1);
                    if (value == null) continue;
                    nonNull[i]++;
                    for (int d = 0; d < DETECTORS.size(); d++) if (DETECTORS.get(d).matches(value)) matched[i][d]++;
                }
            }
        }
    }

    private static String name(SchemaScan.Table table) {
        return ("public".equals(table.schema()) ? "" : table.schema() + ".") + table.name();
    }

    static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }
}
