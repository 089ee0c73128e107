package dev.warden.engine;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.Properties;

/**
 * Child JVM for {@link DriverCrashIT}: inserts customers through the Warden driver forever, printing the
 * number of each INSERT once executeUpdate has returned, until the parent kills it with SIGKILL.
 * Arguments: warden URL, policy file, master key file.
 */
public final class DriverCrashChild {
    public static void main(String[] args) throws Exception {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("warden.policy", args[1]);
        p.setProperty("warden.masterKey", "file:" + args[2]);
        p.setProperty("warden.role", "support");
        p.setProperty("warden.purpose", "customer-service");
        try (Connection c = DriverManager.getConnection(args[0], p);
             PreparedStatement ps = c.prepareStatement("INSERT INTO customers (name, email) VALUES (?, ?)")) {
            for (long i = 1; ; i++) {
                ps.setString(1, "crash " + i);
                ps.setString(2, "crash" + i + "@example.com");
                ps.executeUpdate();
                System.out.println(i);
                System.out.flush();
            }
        }
    }
}
