package dev.warden.cli;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Properties;

/**
 * Child JVM for {@link MultiInstanceAuditIT}: inserts and reads back {@code n} customers through the Warden driver
 * and exits normally (its shutdown hook seals its chain). Arguments: warden URL, policy file, master key file, n.
 */
public final class AuditWriterChild {
    public static void main(String[] args) throws Exception {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("warden.policy", args[1]);
        p.setProperty("warden.masterKey", "file:" + args[2]);
        p.setProperty("warden.role", "support");
        p.setProperty("warden.purpose", "customer-service");
        p.setProperty("ApplicationName", "child-jvm");
        int n = Integer.parseInt(args[3]);
        try (Connection c = DriverManager.getConnection(args[0], p);
             PreparedStatement insert = c.prepareStatement("INSERT INTO customers (name, email) VALUES (?, ?)");
             PreparedStatement select = c.prepareStatement("SELECT email FROM customers WHERE name = ?")) {
            for (int i = 1; i <= n; i++) {
                insert.setString(1, "child " + i);
                insert.setString(2, "child" + i + "@example.com");
                insert.executeUpdate();
                select.setString(1, "child " + i);
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        rs.getString(1);
                    }
                }
            }
        }
        System.out.println("done");
    }
}
