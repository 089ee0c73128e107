package dev.warden.bench.order;

import dev.warden.crypto.LewiWuBlockOre;
import dev.warden.crypto.LogicalType;
import dev.warden.crypto.OrderIndex;
import dev.warden.crypto.OrderIndexSql;
import dev.warden.crypto.WardenKeyset;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.postgresql.PGConnection;

/**
 * Order indexes in the database (docs/order-index.md, options A, B and C) against a plaintext twin with a btree
 * index, on one embedded PostgreSQL: {@value #ROWS} rows of a {@code timestamp} column, the same values in three
 * tables: {@code plain} (plaintext, btree), {@code ore_c} ({@code warden.ore_block}, btree through Warden's operator
 * class) and {@code ore_a} (right ciphertexts only, no index, {@code warden.ore_compare}). Per query: the median wall
 * time and the median CPU time of the server backend (from {@code /proc/<pid>/schedstat}: on this shared machine
 * wall time mostly measures the other processes), and both ratios to the plaintext twin, measured in the same run,
 * the sides taking turns. Checks that every side returns the same rows. Also the index build times and sizes.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.warden.bench.order.OrderIndexSqlBenchmark
 * [iterations]}; {@code -Dwarden.pgBinaries=FILE.txz} runs another PostgreSQL version (the .txz inside zonky's binaries jar). A timed loop, not JMH: each query takes milliseconds to seconds.
 */
public final class OrderIndexSqlBenchmark {

    static final int ROWS = 100_000;
    static final int RANGE_ROWS = ROWS / 100;

    public static void main(String[] args) throws Exception {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int slowIterations = Math.max(3, iterations / 10);
        OrderIndex index = WardenKeyset.generate().orderIndex("events.created_at", LogicalType.TIMESTAMP);
        Random random = new Random(42);
        LocalDateTime start = LocalDateTime.of(2015, 1, 1, 0, 0);
        LocalDateTime[] values = new LocalDateTime[ROWS];
        for (int i = 0; i < ROWS; i++) {
            values[i] = start.plusSeconds(random.nextInt(10 * 365 * 86_400)).plusNanos(random.nextInt(1_000_000) * 1000L);
        }
        if (ROWS > 10) values[7] = values[3]; // a tie

        long encryptStart = System.nanoTime();
        LewiWuBlockOre.Ciphertexts[] stored = new LewiWuBlockOre.Ciphertexts[ROWS];
        int threads = Runtime.getRuntime().availableProcessors();
        java.util.concurrent.ForkJoinPool pool = new java.util.concurrent.ForkJoinPool(threads);
        pool.submit(() -> IntStream.range(0, ROWS).parallel().forEach(i -> stored[i] = index.encrypt(values[i]))).get();
        pool.shutdown();
        double encryptSeconds = (System.nanoTime() - encryptStart) / 1e9;

        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setServerConfig("fsync", "off")
                .setServerConfig("max_parallel_workers_per_gather", "0");
        // another PostgreSQL version: zonky's postgres-linux-x86_64.txz of that version (from its binaries jar)
        String binaries = System.getProperty("warden.pgBinaries");
        if (binaries != null) builder.setPgBinaryResolver((system, architecture) -> Files.newInputStream(Path.of(binaries)));
        try (EmbeddedPostgres pg = builder.start();
             Connection c = DriverManager.getConnection(
                     "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres?user=postgres")) {
            try (Statement s = c.createStatement()) {
                s.execute(OrderIndexSql.functions());
                s.execute(OrderIndexSql.operatorClass());
                s.execute(compareFunctionSql());
                s.execute("CREATE TABLE plain (id int PRIMARY KEY, created_at timestamp)");
                s.execute("CREATE TABLE staging (id int, l bytea, r bytea)");
            }
            load(c, values, stored);
            double plainIndexMs;
            double oreIndexMs;
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE ore_c AS SELECT id, warden.ore_block(l, r) AS o FROM staging");
                s.execute("CREATE TABLE ore_a AS SELECT id, r FROM staging");
                s.execute("DROP TABLE staging");
                s.execute("ALTER TABLE ore_c ADD PRIMARY KEY (id)");
                s.execute("ALTER TABLE ore_a ADD PRIMARY KEY (id)");
                s.execute("VACUUM ANALYZE plain");
                s.execute("VACUUM ore_c");
                s.execute("VACUUM ore_a");
                long t0 = System.nanoTime();
                s.execute("CREATE INDEX plain_created_at ON plain (created_at)");
                plainIndexMs = (System.nanoTime() - t0) / 1e6;
                t0 = System.nanoTime();
                s.execute("CREATE INDEX ore_c_o ON ore_c (o)");
                oreIndexMs = (System.nanoTime() - t0) / 1e6;
                s.execute("ANALYZE ore_c");
                s.execute("ANALYZE ore_a");
            }
            try (ResultSet rs = c.createStatement().executeQuery("SHOW server_version")) {
                rs.next();
                System.out.println("PostgreSQL " + rs.getString(1));
            }
            int pid;
            try (ResultSet rs = c.createStatement().executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                pid = rs.getInt(1);
            }
            System.out.printf("%d rows; Java encrypt (left + right) %.1f s on %d threads; index build: plaintext %.0f ms,"
                    + " ore_block %.0f ms (%.0fx)%n", ROWS, encryptSeconds,
                    threads, plainIndexMs, oreIndexMs,
                    oreIndexMs / plainIndexMs);
            try (ResultSet rs = c.createStatement().executeQuery("SELECT relname, pg_relation_size(oid) FROM pg_class"
                    + " WHERE relname IN ('plain', 'plain_created_at', 'ore_c', 'ore_c_o', 'ore_a') ORDER BY 1")) {
                while (rs.next()) System.out.printf("  %s: %.1f MB%n", rs.getString(1), rs.getLong(2) / 1e6);
            }

            LocalDateTime[] sorted = values.clone();
            Arrays.sort(sorted);
            List<LocalDateTime[]> ranges = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                int from = random.nextInt(ROWS - RANGE_ROWS);
                ranges.add(new LocalDateTime[] {sorted[from], sorted[from + RANGE_ROWS - 1]});
            }

            Side plainRange = new Side("plaintext, btree", c, pid,
                    "SELECT id FROM plain WHERE created_at BETWEEN ? AND ?", (q, r) -> {
                        q.setTimestamp(1, Timestamp.valueOf(r[0]));
                        q.setTimestamp(2, Timestamp.valueOf(r[1]));
                    });
            Side oreRange = new Side("option C: ore_block, btree", c, pid,
                    "SELECT id FROM ore_c WHERE o " + OrderIndexSql.operator(">=") + " " + OrderIndexSql.BOUND
                            + " AND o " + OrderIndexSql.operator("<=") + " " + OrderIndexSql.BOUND, (q, r) -> {
                        q.setBytes(1, index.encryptLeft(r[0]));
                        q.setBytes(2, index.encryptLeft(r[1]));
                    });
            Side seqRange = new Side("option B: ore_block, no index", c, pid,
                    "SELECT id FROM ore_c WHERE o " + OrderIndexSql.operator(">=") + " " + OrderIndexSql.BOUND
                            + " AND o " + OrderIndexSql.operator("<=") + " " + OrderIndexSql.BOUND, (q, r) -> {
                        q.setBytes(1, index.encryptLeft(r[0]));
                        q.setBytes(2, index.encryptLeft(r[1]));
                    }).noIndex();
            Side aRange = new Side("option A: ore_compare, right only", c, pid,
                    "SELECT id FROM ore_a WHERE warden.ore_compare(?, r) <= 0 AND warden.ore_compare(?, r) >= 0",
                    (q, r) -> {
                        q.setBytes(1, index.encryptLeft(r[0]));
                        q.setBytes(2, index.encryptLeft(r[1]));
                    });
            System.out.println();
            System.out.println("| query | side | rows | wall ms (median) | backend CPU ms (median) | wall / plaintext | CPU / plaintext | plan |");
            System.out.println("|---|---|---:|---:|---:|---:|---:|---|");
            compare("BETWEEN, 1% (" + RANGE_ROWS + " rows)", ranges, iterations, slowIterations,
                    plainRange, oreRange, seqRange, aRange);

            List<LocalDateTime[]> none = List.<LocalDateTime[]>of(new LocalDateTime[0]);
            compare("ORDER BY DESC LIMIT 20", none, iterations, slowIterations,
                    new Side("plaintext, btree", c, pid, "SELECT id FROM plain ORDER BY created_at DESC, id LIMIT 20", null),
                    new Side("option C: ore_block, btree", c, pid, "SELECT id FROM ore_c ORDER BY o DESC, id LIMIT 20", null),
                    new Side("option B: ore_block, no index (sort)", c, pid,
                            "SELECT id FROM ore_c ORDER BY o DESC, id LIMIT 20", null).noIndex());
            compare("MAX", none, iterations, slowIterations,
                    new Side("plaintext, btree", c, pid, "SELECT max(created_at) IS NOT NULL FROM plain", null),
                    new Side("option C: ore_block, btree (ORDER BY DESC LIMIT 1)", c, pid,
                            "SELECT o IS NOT NULL FROM ore_c WHERE o IS NOT NULL ORDER BY o DESC LIMIT 1", null),
                    new Side("option B: warden.ore_max aggregate", c, pid,
                            "SELECT warden.ore_max(o) IS NOT NULL FROM ore_c", null).noIndex());
        }
    }

    interface Binder {
        void bind(PreparedStatement q, LocalDateTime[] range) throws SQLException;
    }

    /** One way of asking a query; the first side of a comparison is the plaintext twin. */
    static final class Side {
        final String name;
        final Connection c;
        final int pid;
        final String sql;
        final Binder binder;
        boolean noIndex;
        final List<Double> wall = new ArrayList<>();
        final List<Double> cpu = new ArrayList<>();
        String plan = "";

        Side(String name, Connection c, int pid, String sql, Binder binder) {
            this.name = name;
            this.c = c;
            this.pid = pid;
            this.sql = sql;
            this.binder = binder;
        }

        Side noIndex() {
            noIndex = true;
            return this;
        }

        boolean slow() {
            return noIndex || name.startsWith("option A");
        }

        /** Runs once; returns the ids (or first column) read, for the comparison between sides. */
        List<String> run(LocalDateTime[] range, boolean measured) throws Exception {
            try (Statement s = c.createStatement()) {
                s.execute("SET enable_indexscan = " + !noIndex);
                s.execute("SET enable_bitmapscan = " + !noIndex);
                s.execute("SET enable_indexonlyscan = " + !noIndex);
            }
            try (PreparedStatement q = c.prepareStatement(sql)) {
                long cpu0 = cpuNanos();
                long t0 = System.nanoTime();
                if (binder != null) binder.bind(q, range);
                List<String> out = new ArrayList<>();
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) out.add(rs.getString(1));
                }
                long t1 = System.nanoTime();
                long cpu1 = cpuNanos();
                if (measured) {
                    wall.add((t1 - t0) / 1e6);
                    cpu.add((cpu1 - cpu0) / 1e6);
                }
                if (plan.isEmpty()) plan = plan(range);
                out.sort(null);
                return out;
            }
        }

        /** The plan's first scan or sort node, for the table. */
        private String plan(LocalDateTime[] range) throws Exception {
            try (PreparedStatement e = c.prepareStatement("EXPLAIN " + sql)) {
                if (binder != null) binder.bind(e, range);
                try (ResultSet rs = e.executeQuery()) {
                    while (rs.next()) {
                        String line = rs.getString(1).trim().replaceFirst("^->\\s*", "");
                        if (line.contains("Scan") || line.startsWith("Sort")) return line.replaceAll("\\s*\\(cost.*", "");
                    }
                }
            }
            return "";
        }

        long cpuNanos() {
            try {
                return Long.parseLong(Files.readString(Path.of("/proc/" + pid + "/schedstat")).split(" ")[0]);
            } catch (Exception e) {
                return 0;
            }
        }
    }

    static void compare(String query, List<LocalDateTime[]> params, int iterations, int slowIterations, Side... sides)
            throws Exception {
        for (Side side : sides) side.run(params.get(0), false); // warm the caches and the plans
        for (int i = 0; i < iterations; i++) {
            LocalDateTime[] p = params.get(i % params.size());
            List<String> expected = null;
            for (Side side : sides) {
                if (side.slow() && i >= slowIterations) continue;
                List<String> got = side.run(p, true);
                if (expected == null) {
                    expected = got;
                } else if (!expected.equals(got)) {
                    throw new IllegalStateException(query + ": " + side.name + " returned " + got.size()
                            + " rows, not the plaintext's " + expected.size());
                }
            }
        }
        Side plain = sides[0];
        for (Side side : sides) {
            double w = median(side.wall);
            double u = median(side.cpu);
            System.out.printf("| %s | %s | %d runs | %.2f | %.2f | %.1f | %.1f | %s |%n", query, side.name, side.wall.size(),
                    w, u, w / median(plain.wall), u / median(plain.cpu), side.plan);
        }
    }

    static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a.length == 0 ? Double.NaN : a[a.length / 2];
    }

    static void load(Connection c, LocalDateTime[] values, LewiWuBlockOre.Ciphertexts[] stored) throws Exception {
        HexFormat hex = HexFormat.of();
        StringBuilder plain = new StringBuilder();
        StringBuilder ore = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            plain.append(i).append('\t').append(values[i]).append('\n');
            ore.append(i).append("\t\\\\x").append(hex.formatHex(stored[i].left()))
                    .append("\t\\\\x").append(hex.formatHex(stored[i].right())).append('\n');
        }
        var copy = c.unwrap(PGConnection.class).getCopyAPI();
        copy.copyIn("COPY plain FROM STDIN", new StringReader(plain.toString()));
        copy.copyIn("COPY staging FROM STDIN", new StringReader(ore.toString()));
    }

    static String compareFunctionSql() throws Exception {
        try (var in = LewiWuBlockOre.class.getResourceAsStream("ore-compare.sql")) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
