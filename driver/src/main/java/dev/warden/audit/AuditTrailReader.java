package dev.warden.audit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * Reads events back for reports: from JSON Lines files, format 1 and 2 alike (complete, parsable lines only: a torn
 * last line or a malformed line is skipped; a format 2 reference that no earlier line of its file defines reads as
 * {@code (unresolved #N)}; use {@link AuditVerifier} to know whether the trail can be trusted) or from the
 * audit table of a {@link DatabaseAuditSink}. Stateless and thread-safe.
 */
public final class AuditTrailReader {

    private AuditTrailReader() {}

    /** Every readable event of the files and directories given, in trail order. */
    public static List<ChainedEvent> readFiles(List<Path> paths) throws IOException {
        List<ChainedEvent> out = new ArrayList<>();
        forEachInFiles(paths, out::add);
        return out;
    }

    /**
     * Every readable event of the files and directories given, by chain (one per writing instance, see
     * {@link AuditTrailFiles#byChain}), each chain in its write order.
     */
    public static java.util.SortedMap<String, List<ChainedEvent>> readChains(List<Path> paths) throws IOException {
        java.util.SortedMap<String, List<ChainedEvent>> chains = new java.util.TreeMap<>();
        for (java.util.Map.Entry<String, List<Path>> chain : AuditTrailFiles.byChain(paths).entrySet()) {
            chains.put(chain.getKey(), readFiles(chain.getValue()));
        }
        return chains;
    }

    /** Streams the events of the files and directories given, in trail order, without holding them all. */
    public static void forEachInFiles(List<Path> paths, Consumer<ChainedEvent> consumer) throws IOException {
        AuditLineReader reader = new AuditLineReader();
        for (Path file : AuditTrailFiles.expand(paths)) {
            reader.startFile(); // a format 2 file's references resolve within the file
            try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
                ByteArrayOutputStream line = new ByteArrayOutputStream(1024);
                int b;
                while ((b = in.read()) >= 0) {
                    if (b == '\n') {
                        parse(reader, line.toByteArray(), consumer);
                        line.reset();
                    } else {
                        line.write(b);
                    }
                }
                // bytes after the last newline are a torn line: never an event
            }
        }
    }

    /**
     * Every readable event of the files and directories given, in trail order, as its format 1 line without the
     * newline: every value in full, whatever format the file is in, for tools and checks that look at one line at a
     * time ({@code grep}, {@code jq}). The {@code hash} is the one the trail holds: it verifies only for lines
     * written in format 1.
     */
    public static List<String> readAsFormat1Lines(List<Path> paths) throws IOException {
        List<String> out = new ArrayList<>();
        forEachInFiles(paths, e -> {
            byte[] line = AuditLineCodec.line(AuditLineCodec.content(e.seq(), e.prev(), e.event()), e.hash());
            out.add(new String(line, 0, line.length - 1, java.nio.charset.StandardCharsets.UTF_8));
        });
        return out;
    }

    private static void parse(AuditLineReader reader, byte[] line, Consumer<ChainedEvent> consumer) {
        try {
            consumer.accept(reader.read(line));
        } catch (IllegalArgumentException malformed) {
            // reported by the verifier, not by reports
        }
    }

    /** Every event of an audit table, in seq order. */
    public static List<ChainedEvent> readTable(String jdbcUrl, Properties properties, String table)
            throws SQLException {
        List<ChainedEvent> out = new ArrayList<>();
        AuditLineReader reader = new AuditLineReader();
        for (String line : readTableLines(jdbcUrl, properties, table)) {
            parse(reader, line.getBytes(java.nio.charset.StandardCharsets.UTF_8), out::add);
        }
        return out;
    }

    /** The stored lines ({@code event_json}) of an audit table in seq order, for {@link AuditVerifier#verifyLines}. */
    public static List<String> readTableLines(String jdbcUrl, Properties properties, String table)
            throws SQLException {
        String name = JdbcAuditTarget.checkedTableName(table);
        List<String> lines = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(jdbcUrl, properties == null ? new Properties() : properties);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT event_json FROM " + name + " ORDER BY seq")) {
            while (rs.next()) {
                lines.add(rs.getString(1));
            }
        }
        return lines;
    }
}
