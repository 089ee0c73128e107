package dev.warden.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.testkit.CustomersExample;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 10, class 9, in a gateway JVM of its own ({@link GatewayHeapChild}), in both session-io modes: a
 * result far larger than the gateway's heap (about 480 MB through a 96 MB heap) streams to the client, by
 * simple and by extended query outside a transaction block, and leaves its audit event; and once the audit
 * writer has died (an OutOfMemoryError on its thread), every later statement is refused with 58000 instead
 * of running unaudited.
 */
class GatewayBoundedMemoryIT {

    static final String HUGE = "SELECT c.email, repeat('y', 8000) FROM customers c, generate_series(1, 60000)";
    static final String EMAIL = "huge.result@example.com";

    static CustomersExample example;

    @BeforeAll
    static void seed() throws Exception {
        example = CustomersExample.create();
        try (Connection c = example.as("support", "customer-service");
             PreparedStatement ps = c.prepareStatement("insert into customers(name, email, country) values ('H', ?, 'FR')")) {
            ps.setString(1, EMAIL);
            ps.executeUpdate();
        }
    }

    /** A running child gateway; closing it closes its standard input and waits for it. */
    record Child(Process process, int port, Path dir) implements AutoCloseable {
        static Child start(String sessionIo, String heap, String mode) throws Exception {
            Path dir = CustomersExample.newPolicyDirectory(); // its own trail, apart from this JVM's engines
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process p = new ProcessBuilder(java, heap,
                    "-Dwarden.gateway.session-io=" + sessionIo, "-cp", System.getProperty("java.class.path"),
                    GatewayHeapChild.class.getName(), example.rawUrl(), dir.toString(), mode)
                    .redirectError(dir.resolve("child-stderr.txt").toFile()).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("PORT ")) {
                // startup output
            }
            if (line == null) {
                throw new IllegalStateException("the child gateway did not start: exit " + p.waitFor());
            }
            return new Child(p, Integer.parseInt(line.substring(5).trim()), dir);
        }

        /** What the child wrote to its standard error (an OutOfMemoryError's stack, for one). */
        String stderr() throws Exception {
            return Files.readString(dir.resolve("child-stderr.txt"));
        }

        List<String> trail() throws Exception {
            List<String> lines = new ArrayList<>();
            try (var files = Files.list(dir)) {
                for (Path f : files.filter(f -> f.getFileName().toString().startsWith("warden-audit")).sorted().toList()) {
                    lines.addAll(dev.warden.audit.AuditTrailReader.readAsFormat1Lines(List.of(f))); // every value in full
                }
            }
            return lines;
        }

        @Override
        public void close() throws Exception {
            process.getOutputStream().close();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /** Reads a simple query's or a Sync's reply, discarding rows: {rows, first error text or null}. */
    static Object[] drain(RawPgClient c) throws Exception {
        long rows = 0;
        String error = null;
        RawPgClient.Message m;
        try {
            while ((m = c.read()).type() != 'Z') {
                if (m.type() == 'D') {
                    rows++;
                } else if (m.type() == 'E' && error == null) {
                    error = m.text();
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.IOException("connection ended after " + rows + " rows, error " + error, e);
        }
        return new Object[] {rows, error};
    }

    @ParameterizedTest
    @ValueSource(strings = {"thread", "event-loop"})
    void aResultLargerThanTheHeapStreamsThroughAndIsAudited(String sessionIo) throws Exception {
        try (Child child = Child.start(sessionIo, "-Xmx96m", "serve");
             RawPgClient c = new RawPgClient(child.port()).login("sam", "pw")) {
            c.socket.setSoTimeout(120_000);
            c.query(HUGE);
            Object[] simple;
            try {
                simple = drain(c);
            } catch (java.io.IOException e) {
                throw new AssertionError("the gateway failed: " + e.getMessage() + "; " + child.stderr(), e);
            }
            assertEquals(null, simple[1], "simple query");
            assertEquals(60000L, simple[0]);

            // the extended protocol outside a block: Parse, Bind, Execute (all rows), Sync
            byte[] sql = HUGE.getBytes(StandardCharsets.UTF_8);
            c.send('P', RawPgClient.concat(new byte[] {0}, sql, new byte[] {0}, new byte[] {0, 0}));
            c.send('B', new byte[] {0, 0, 0, 0, 0, 0, 0, 0});
            c.send('E', new byte[] {0, 0, 0, 0, 0});
            c.send('S', new byte[0]);
            Object[] extended;
            try {
                extended = drain(c);
            } catch (java.io.IOException e) {
                throw new AssertionError("the gateway failed: " + e.getMessage() + "; " + child.stderr(), e);
            }
            assertEquals(null, extended[1], "extended query");
            assertEquals(60000L, extended[0]);

            c.query("select email from customers where email = '" + EMAIL + "'");
            assertEquals("TDCZ", c.readUntilReady(), "the session goes on");
            assertEquals('I', c.lastStatus, "no transaction left open by the streaming");
            assertTrue(child.process().isAlive(), "the gateway survived");

            List<String> events = new ArrayList<>();
            for (int i = 0; i < 100 && events.size() < 2; i++) {
                Thread.sleep(50);
                events = child.trail().stream().filter(l -> l.contains("repeat") && l.contains("\"rows\":60000")).toList();
            }
            assertEquals(2, events.size(), "one event for each huge query: " + events);
            assertFalse(String.join("\n", child.trail()).contains(EMAIL), "no plaintext in the trail");
        }
    }

    /**
     * Issue 11: a query whose shape bounds its result runs as one autocommit statement (read whole by the
     * driver); each of these is close to such a shape but is not bounded by it, so it must still stream through
     * the small heap: a SELECT without FROM calling a set-returning function, a LIMIT above the fetch size, and
     * a point SELECT on the primary key whose select list multiplies the row.
     */
    @ParameterizedTest
    @ValueSource(strings = {"thread", "event-loop"})
    void shapesCloseToABoundedOneStillStream(String sessionIo) throws Exception {
        long id;
        try (Connection c = example.raw(); Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("select min(id) from customers")) {
            rs.next();
            id = rs.getLong(1);
        }
        try (Child child = Child.start(sessionIo, "-Xmx96m", "serve");
             RawPgClient c = new RawPgClient(child.port()).login("sam", "pw")) {
            c.socket.setSoTimeout(120_000);
            String[] simple = {
                "SELECT repeat('y', 8000), generate_series(1, 60000)",
                "SELECT c.email, repeat('y', 8000) FROM customers c, generate_series(1, 60000) LIMIT 60000",
            };
            for (String sql : simple) {
                c.query(sql);
                Object[] r;
                try {
                    r = drain(c);
                } catch (java.io.IOException e) {
                    throw new AssertionError(sql + ": the gateway failed: " + e.getMessage() + "; " + child.stderr(), e);
                }
                assertEquals(null, r[1], sql);
                assertEquals(60000L, r[0], sql);
            }
            // the point SELECT by the extended protocol, its key a parameter (text format)
            byte[] sql = "SELECT repeat('y', 8000), generate_series(1, 60000) FROM customers WHERE id = $1"
                    .getBytes(StandardCharsets.UTF_8);
            byte[] key = Long.toString(id).getBytes(StandardCharsets.UTF_8);
            c.send('P', RawPgClient.concat(new byte[] {0}, sql, new byte[] {0}, new byte[] {0, 0}));
            c.send('B', RawPgClient.concat(new byte[] {0, 0, 0, 0, 0, 1},
                    java.nio.ByteBuffer.allocate(4).putInt(key.length).array(), key, new byte[] {0, 0}));
            c.send('E', new byte[] {0, 0, 0, 0, 0});
            c.send('S', new byte[0]);
            Object[] extended;
            try {
                extended = drain(c);
            } catch (java.io.IOException e) {
                throw new AssertionError("the gateway failed: " + e.getMessage() + "; " + child.stderr(), e);
            }
            assertEquals(null, extended[1], "point SELECT multiplying its row");
            assertEquals(60000L, extended[0]);
            assertTrue(child.process().isAlive(), "the gateway survived");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"thread", "event-loop"})
    void onceTheAuditWriterHasDiedEveryStatementIsRefusedWith58000(String sessionIo) throws Exception {
        try (Child child = Child.start(sessionIo, "-Xmx256m", "writer-dies");
             RawPgClient c = new RawPgClient(child.port()).login("sam", "pw")) {
            // the login's own statements reached the writer, which died writing them; poll until it shows
            String error = null;
            for (int i = 0; i < 100 && error == null; i++) {
                c.query("select email from customers where email = '" + EMAIL + "'");
                Object[] r = drain(c);
                error = (String) r[1];
                if (error == null) {
                    Thread.sleep(50);
                }
            }
            assertTrue(error != null && error.contains("58000"), String.valueOf(error));
            assertFalse(error.contains(EMAIL), error);
            c.query("select 1");  // touches no protected table: refused too, it could not leave its event
            Object[] plain = drain(c);
            assertTrue(plain[1] != null && ((String) plain[1]).contains("58000"), String.valueOf(plain[1]));
            assertEquals(0L, plain[0]);
            c.query("select email from customers");
            Object[] again = drain(c);
            assertEquals(0L, again[0], "no row of a protected table once the trail has stopped");

            // a new pgjdbc client cannot run anything either
            SQLException e = assertThrows(SQLException.class, () -> {
                try (Connection j = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + child.port()
                        + "/app?user=sam&password=pw"); Statement s = j.createStatement()) {
                    s.executeQuery("select email from customers").close();
                }
            });
            assertEquals("58000", e.getSQLState(), e.getMessage());
        }
    }
}
