package dev.warden.gateway;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.MatchColumnsExample;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PGobject;

/**
 * Red team, session 9: a client's parameter typed text (OID 25, which the gateway binds as a pgjdbc PGobject of
 * type text), next to varchar (1043) and unspecified (0), in every protected position: INSERT and UPDATE values,
 * WHERE equality, LIKE through a match index, ANY, casts, function arguments, LIMIT. What the gateway's backend
 * connections send (recorded on the wire, Bind values included) and what is stored never hold the plaintext.
 */
class RedTeamSession9TextParamIT {

    static CustomersExample example;
    static BackendStatementRecorder recorder;
    static PolicyGateway gateway;
    static Path policy;
    private static final Set<String> REFUSALS = Set.of("0A000", "42501", "42804", "42883", "22023");

    @BeforeAll
    static void start() throws Exception {
        example = CustomersExample.create();
        MatchColumnsExample.addNicknameAndCompanions(example);
        policy = MatchColumnsExample.policyDirectory(MatchColumnsExample.POLICY);
        URI backend = URI.create(example.rawUrl().substring("jdbc:".length()));
        recorder = new BackendStatementRecorder(backend.getHost(), backend.getPort());
        String through = BackendStatementRecorder.through(example.rawUrl(), recorder);
        gateway = PolicyGateway.start("jdbc:warden:" + through.substring("jdbc:".length()), policy, 2,
                PolicyGateway.user("sam", "support", "customer-service"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) gateway.close();
        if (recorder != null) recorder.close();
    }

    interface Binder {
        void bind(PreparedStatement p, int index, String value) throws SQLException;
    }

    static PGobject typed(String type, String value) throws SQLException {
        PGobject o = new PGobject();
        o.setType(type);
        o.setValue(value);
        return o;
    }

    /** How the client types its string: text (25), varchar (1043), unspecified (0), and as pgjdbc's own types. */
    static final List<Binder> TYPINGS = List.of(
            (p, i, v) -> p.setObject(i, typed("text", v)),
            (p, i, v) -> p.setObject(i, typed("varchar", v)),
            (p, i, v) -> p.setObject(i, typed("unknown", v)),
            (p, i, v) -> p.setObject(i, typed("bpchar", v)),
            (p, i, v) -> p.setObject(i, typed("name", v)),
            (p, i, v) -> p.setObject(i, typed("json", "\"" + v + "\"")),
            (p, i, v) -> p.setString(i, v),
            (p, i, v) -> p.setObject(i, v, Types.OTHER));

    @Test
    void aTextTypedParameterNeverReachesTheDatabaseInPlaintext() throws Exception {
        List<String> findings = new ArrayList<>();
        int id = 100;
        for (String settings : List.of("", "prepareThreshold=1&binaryTransfer=true", "stringtype=unspecified")) {
            try (Connection c = gateway.connect("sam", settings)) {
                for (int t = 0; t < TYPINGS.size(); t++) {
                    Binder b = TYPINGS.get(t);
                    id++;
                    String secret = "zq" + id + "s@x.test";
                    List<String> sqls = List.of(
                            "insert into customers (id, name, email, nickname) values (" + id + ", 'n', ?, ?)",
                            "update customers set email = ?, nickname = ? where id = " + id,
                            "select id from customers where email = ? or nickname = ?",
                            "select id from customers where email like ? and nickname like ?",
                            "select id from customers where email = ?::text or nickname = cast(? as text)",
                            "select id from customers where email = lower(?) or nickname = upper(?)",
                            "select id from customers where email = coalesce(?, 'x') or nickname = concat(?, '')",
                            "select id from customers where email in (?, ?)",
                            "select id from customers where (email, nickname) = (?, ?)",
                            "select id from customers where email = ? and id > 0 and nickname = ?",
                            "select id from customers where nickname like ? limit ?",
                            "insert into customers (id, name, email, nickname) select " + (id + 5000) + ", 'n', ?, ?",
                            "insert into customers (id, name, email, nickname) values (" + (id + 9000) + ", 'n', ?, ?)"
                                    + " on conflict (id) do update set email = excluded.email, nickname = 'x'",
                            "with v(e, n) as (values (?, ?)) select id from customers, v where email = v.e");
                    for (String sql : sqls) {
                        recorder.takeWire();
                        try (PreparedStatement p = c.prepareStatement(sql)) {
                            b.bind(p, 1, secret);
                            b.bind(p, 2, "zq" + id + "nick");
                            if (p.execute()) {
                                try (ResultSet rs = p.getResultSet()) {
                                    while (rs.next()) { /* drained */ }
                                }
                            }
                        } catch (SQLException e) {
                            if (e.getMessage() != null && e.getMessage().contains("zq")) {
                                findings.add(settings + " typing " + t + " " + sql + ": message shows the value: "
                                        + e.getMessage());
                            }
                        }
                        String wire = recorder.takeWire();
                        if (wire.contains("zq" + id)) {
                            findings.add(settings + " typing " + t + " " + sql + ": plaintext sent to the database");
                        }
                    }
                }
            }
        }
        try (Connection raw = example.raw(); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("select customers::text from customers")) {
            while (rs.next()) {
                if (rs.getString(1).contains("zq")) findings.add("stored in plaintext: " + rs.getString(1));
            }
        }
        assertTrue(findings.isEmpty(), String.join("\n", findings));
    }

    @Test
    void theRecorderSeesBindValues() throws Exception {
        try (Connection c = gateway.connect("sam", ""); PreparedStatement p = c.prepareStatement(
                "select id from customers where name = ?")) {
            recorder.takeWire();
            p.setObject(1, typed("text", "zqplainname"));
            p.executeQuery().close();
            assertTrue(recorder.takeWire().contains("zqplainname"), "a column that is not protected goes as given");
        }
    }

    /**
     * Statements with protected values written inline (simple and extended protocol), through the gateway: refused,
     * failed or answered, the format 2 trail they leave holds none of the values (marked zqz).
     */
    @Test
    void inlineValuesOfAGatewaySessionNeverReachTheTrail() throws Exception {
        List<String> sqls = List.of(
                "insert into customers (id, name, email, nickname) values (9901, 'n', 'zqz1@x.test', 'zqznick1')",
                "insert into customers (id, name, email, nickname) values (9902, 'n', 'zqz1@x.test', 'zqznick2')",
                "select id from customers where email = 'zqz3' or nickname like 'zqz4%'",
                "select id from customers where lower(email) = 'zqz5'",
                "select id from customers where email = 'zqz6'::int",
                "select id from customers where email like '%zqz7' limit 'zqz8'",
                "update customers set nickname = 'zqz9' where email = 'zqz10'",
                "select id from customers where email = $$zqz11$$; select 'zqz12'",
                "select id from customers where email = E'zqz13\\'");
        for (String settings : List.of("preferQueryMode=simple", "")) {
            try (Connection c = gateway.connect("sam", settings)) {
                for (String sql : sqls) {
                    try (Statement s = c.createStatement()) {
                        s.execute(sql);
                    } catch (SQLException e) {
                        // audited all the same
                    }
                }
            }
        }
        String trail = "";
        for (int attempt = 0; attempt < 200; attempt++) {
            StringBuilder text = new StringBuilder();
            for (Path f : dev.warden.audit.AuditTrailFiles.expand(List.of(policy))) {
                text.append(java.nio.file.Files.readString(f));
            }
            trail = text.toString();
            if (trail.contains("9902") || attempt > 60) break;  // the statements after it are audited alongside
            Thread.sleep(50);
        }
        Thread.sleep(1000);  // the rest of the batch
        StringBuilder text = new StringBuilder();
        for (Path f : dev.warden.audit.AuditTrailFiles.expand(List.of(policy))) {
            text.append(java.nio.file.Files.readString(f));
        }
        trail = text.toString();
        assertTrue(trail.contains("customers.email"), "the session is audited: " + trail);
        assertTrue(!trail.toLowerCase(java.util.Locale.ROOT).contains("zqz"), trail);
    }
}
