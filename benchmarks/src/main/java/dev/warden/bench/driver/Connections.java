package dev.warden.bench.driver;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One benchmark thread's connections to the shared {@link CustomersDatabase}: a raw pgjdbc one and a Warden
 * one (role billing, purpose order-processing), plus the statements the "reused" benchmarks keep open, a
 * random source for picking customers and a counter for unique inserted emails. Confined to one thread.
 */
@State(Scope.Thread)
public class Connections {

    static final String POINT_SELECT = "SELECT id, name, email FROM customers WHERE email = ?";
    static final String PLAIN_POINT_SELECT = "SELECT id, name, email FROM customers WHERE email = ";
    static final String INSERT = "INSERT INTO customers (name, email, card_number) VALUES (?, ?, ?)";
    static final String RANGE_SELECT = "SELECT email, card_number FROM customers WHERE id BETWEEN ? AND ?";

    Connection raw;
    Connection warden;
    PreparedStatement rawReusedPointSelect;
    PreparedStatement wardenReusedPointSelect;
    SplittableRandom random;
    long inserted;
    /** Distinguishes the forks' inserted emails, although each fork has its own database. */
    String insertPrefix;
    private Connection cleaner;

    @Setup(Level.Trial)
    public void open(CustomersDatabase db) throws SQLException {
        raw = DriverManager.getConnection(db.rawUrl, db.rawProperties);
        warden = DriverManager.getConnection(db.wardenUrl, db.wardenProperties);
        cleaner = DriverManager.getConnection(db.rawUrl, db.rawProperties);
        rawReusedPointSelect = raw.prepareStatement(POINT_SELECT);
        wardenReusedPointSelect = warden.prepareStatement(POINT_SELECT);
        random = new SplittableRandom(42);
        insertPrefix = "new" + Long.toHexString(System.nanoTime()) + "-" + Thread.currentThread().getId() + "-";
        checkSameRow(db);
    }

    /** Both halves of a pair must find the same customer, or the comparison means nothing. */
    private void checkSameRow(CustomersDatabase db) throws SQLException {
        int i = CustomersDatabase.CUSTOMERS / 2;
        rawReusedPointSelect.setBytes(1, db.emailCiphertexts[i]);
        wardenReusedPointSelect.setString(1, db.emails[i]);
        try (ResultSet r = rawReusedPointSelect.executeQuery(); ResultSet w = wardenReusedPointSelect.executeQuery()) {
            if (!r.next() || !w.next() || r.getInt(1) != i + 1 || w.getInt(1) != i + 1
                    || !db.emails[i].equals(w.getString(3)) || r.next() || w.next()) {
                throw new IllegalStateException("raw and Warden point SELECTs do not find the same single customer");
            }
        }
    }

    /** Index of a random loaded customer (id = index + 1). */
    int someCustomer() {
        return random.nextInt(CustomersDatabase.CUSTOMERS);
    }

    /** Keeps the table at its loaded size, so every iteration measures the same database. */
    @TearDown(Level.Iteration)
    public void deleteInserted() throws SQLException {
        try (Statement s = cleaner.createStatement()) {
            s.executeUpdate("DELETE FROM customers WHERE id > " + CustomersDatabase.CUSTOMERS);
        }
    }

    @TearDown(Level.Trial)
    public void close() throws SQLException {
        rawReusedPointSelect.close();
        wardenReusedPointSelect.close();
        raw.close();
        warden.close();
        cleaner.close();
    }
}
