package dev.warden.jdbc;

import dev.warden.testkit.SecretColumnsExample;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedProbeIT {
    static void run(SecretColumnsExample ex, String role, String sql) {
        try (Connection c = role.equals("raw") ? ex.db().raw() : ex.db().as(ex.policyDirectory(), role, SecretColumnsExample.purposeOf(role));
             Statement s = c.createStatement()) {
            boolean rs = s.execute(sql);
            StringBuilder out = new StringBuilder();
            if (rs) try (ResultSet r = s.getResultSet()) { while (r.next()) out.append(r.getString(1)).append(';'); }
            System.out.println("PROBE OK   [" + role + "] " + sql + "\n   => " + out);
        } catch (java.sql.SQLException e) {
            System.out.println("PROBE FAIL [" + role + "] " + sql + "\n   => " + e.getSQLState() + " " + e.getMessage());
        }
    }
    @Test
    void probe() throws Exception {
        SecretColumnsExample ex = SecretColumnsExample.create();
        String lw = "lowrite(lo_open(lo_creat(-1), 131072), convert_to(NEW.hkid,'UTF8'))";
        run(ex, "analyst", "CREATE RULE red_r AS ON UPDATE TO customers DO ALSO SELECT " + lw);
        run(ex, "analyst", "CREATE RULE red_r2 AS ON INSERT TO notes DO ALSO SELECT lowrite(lo_open(lo_creat(-1), 131072), convert_to(NEW.val,'UTF8'))");
        run(ex, "analyst", "CREATE FUNCTION red_tf() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN PERFORM " + lw + "; RETURN NEW; END$$");
        run(ex, "raw", "CREATE FUNCTION red_tf2() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN PERFORM " + lw + "; RETURN NEW; END$$");
        run(ex, "raw", "CREATE TRIGGER red_t2 BEFORE UPDATE ON customers FOR EACH ROW EXECUTE FUNCTION red_tf2()");
        run(ex, "support", "UPDATE customers SET hkid = 'C1234567(8)' WHERE id = " + ex.id());
        run(ex, "raw", "DROP TRIGGER red_t2 ON customers");
        run(ex, "analyst", "CREATE TABLE red_t (a int)");
        run(ex, "raw", "CREATE FUNCTION red_tf3() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN PERFORM lo_creat(-1); PERFORM lowrite(0, convert_to(NEW.hkid,'UTF8')); RETURN NEW; END$$");
        run(ex, "raw", "CREATE TRIGGER red_t3 BEFORE UPDATE ON customers FOR EACH ROW EXECUTE FUNCTION red_tf3()");
        run(ex, "analyst", "CREATE TABLE red_t4 (a int)");
        run(ex, "support", "UPDATE customers SET hkid = 'C1234567(9)' WHERE id = " + ex.id());
        run(ex, "raw", "DROP TRIGGER red_t3 ON customers");
        run(ex, "analyst", "CREATE TABLE red_t5 (a int)");
        run(ex, "analyst", "SELECT lo_creat(-1)");
        run(ex, "analyst", "SELECT lo_open(16400, 262144)");
        run(ex, "analyst", "SELECT pg_cancel_backend(pid) FROM pg_locks WHERE pid <> pg_backend_pid()");
        run(ex, "analyst", "SELECT pg_stat_get_backend_pid(s) FROM pg_stat_get_backend_idset() s");
        run(ex, "analyst", "SELECT pg_stat_get_backend_activity(s) FROM pg_stat_get_backend_idset() s");
        run(ex, "raw", "SELECT count(*) FROM pg_largeobject");
        run(ex, "raw", "SELECT string_agg(convert_from(data,'UTF8'), ',') FROM pg_largeobject");
    }
}
