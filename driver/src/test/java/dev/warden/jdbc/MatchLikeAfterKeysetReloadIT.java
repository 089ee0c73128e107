package dev.warden.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.crypto.MasterKey;
import dev.warden.crypto.WardenKeyset;
import dev.warden.engine.EngineConfig;
import dev.warden.engine.WardenEngine;
import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.MatchColumnsExample;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A LIKE pattern bound before a keyset reload and executed after it, without being bound again: the statement
 * binds the pattern again as its match tokens (not as a value of the column), so it answers as before the reload.
 * The replay of bound parameters once bound a pattern like a stored value.
 */
class MatchLikeAfterKeysetReloadIT {

    static CustomersExample db;
    static Path policy;

    @BeforeAll
    static void seed() throws Exception {
        db = CustomersExample.create();
        MatchColumnsExample.addNicknameAndCompanions(db);
        policy = MatchColumnsExample.policyDirectory(MatchColumnsExample.POLICY);
        try (Connection support = db.as(policy, "support", null);
             PreparedStatement ps = support.prepareStatement(
                     "INSERT INTO customers (id, name, email, nickname) VALUES (?, ?, ?, ?)")) {
            String[] nicknames = {"Chan Tai Man", "chan siu ming", "Wong", "Chandler", null};
            for (int i = 0; i < nicknames.length; i++) {
                ps.setInt(1, i + 1);
                ps.setString(2, "n" + i);
                ps.setString(3, "e" + i + "@example.hk");
                ps.setString(4, nicknames[i]);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    @Test
    void aPatternBoundBeforeTheReloadIsBoundAgainAsItsTokens() throws Exception {
        try (Connection support = db.as(policy, "support", null);
             PreparedStatement like = support.prepareStatement(
                     "SELECT id FROM customers WHERE nickname LIKE ? ORDER BY id");
             PreparedStatement email = support.prepareStatement(
                     "SELECT id FROM customers WHERE email LIKE ? AND nickname ILIKE ? ORDER BY id")) {
            like.setString(1, "Chan%");
            email.setString(1, "%@example.hk");
            email.setString(2, "%chan%");
            assertEquals(List.of(1, 4), ids(like));
            assertEquals(List.of(1, 2, 4), ids(email));

            MasterKey master = MatchColumnsExample.masterKey(policy);
            Path file = policy.resolve("demo-keyset.json");
            WardenKeyset.read(file, master).rotate().write(file, master);
            assertTrue(WardenEngine.forConfig(new EngineConfig(policy.resolve("policy.yaml").toString(),
                    "file:" + policy.resolve("demo-master-key.txt"))).reloadKeyset());

            assertEquals(List.of(1, 4), ids(like), "the pattern bound before the reload, executed after it");
            assertEquals(List.of(1, 2, 4), ids(email));
            like.setString(1, "chan%");
            assertEquals(List.of(2), ids(like), "and bound after it");
        }
    }

    private static List<Integer> ids(PreparedStatement ps) throws Exception {
        List<Integer> ids = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) ids.add(rs.getInt(1));
        }
        return ids;
    }
}
