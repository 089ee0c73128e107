package dev.warden.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.policy.Policy;
import dev.warden.policy.PolicyLoader;
import dev.warden.sql.LexedSql;
import dev.warden.sql.Plan;
import dev.warden.sql.Slot;
import dev.warden.sql.SqlAnalyzer;
import dev.warden.sql.SqlLexer;
import dev.warden.testkit.CustomersExample;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Which schema changes the example policy lets through on customers (email and phone deterministic; card_number,
 * birth_date and credit_limit randomized; name and country not protected), and what a refusal says.
 */
class SchemaChangeRulesTest {

    private static Policy policy;

    @BeforeAll
    static void loadPolicy() throws Exception {
        policy = PolicyLoader.load(CustomersExample.POLICY.toString());
    }

    private static String refusal(String sql, String serverFunction) {
        LexedSql lexed = SqlLexer.lex(sql);
        Plan plan = new SqlAnalyzer().analyze(lexed, table -> null);
        assertNotNull(plan.schemaChange(), () -> sql + " was not read: " + plan.problems());
        return new SchemaChangeRules(policy).refusal(plan.schemaChange(), serverFunction);
    }

    private static void assertAllowed(String sql) {
        String refusal = refusal(sql, null);
        assertNull(refusal, () -> sql + " -> " + refusal);
    }

    /** Refused, naming {@code named}, and never showing a literal of the statement. */
    private static void assertRefused(String sql, String named) {
        String refusal = refusal(sql, null);
        assertNotNull(refusal, sql + " was allowed");
        assertTrue(refusal.contains(named), () -> sql + " -> " + refusal);
        for (Slot slot : SqlLexer.lex(sql).slots()) {
            if (slot instanceof Slot.Literal literal && literal.value() != null && literal.value().length() > 2) {
                assertFalse(refusal.contains(literal.value()), () -> "the refusal shows a value: " + refusal);
            }
        }
    }

    @Test
    void changesThatCannotWriteReadOrUnmatchAProtectedColumnAreAllowed() {
        for (String sql : new String[] {
                "CREATE INDEX customers_country ON customers (country)",
                "CREATE INDEX ON customers (email)",
                "CREATE INDEX ON customers (card_number)",
                "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS customers_phone ON customers (phone) WHERE phone IS NOT NULL",
                "CREATE INDEX ON customers (lower(name)) INCLUDE (email) WHERE country <> 'HK'",
                "ALTER TABLE customers ADD COLUMN loyalty int",
                "ALTER TABLE customers ADD COLUMN tier text DEFAULT 'gold' NOT NULL CHECK (tier <> '')",
                "ALTER TABLE customers ADD COLUMN n int GENERATED ALWAYS AS (length(name)) STORED",
                "ALTER TABLE customers ADD COLUMN IF NOT EXISTS phone bytea",
                "ALTER TABLE customers ADD COLUMN IF NOT EXISTS card_number text NOT NULL",
                "ALTER TABLE customers ALTER COLUMN country SET DEFAULT 'HK'",
                "ALTER TABLE customers ALTER COLUMN country TYPE varchar(2) USING substr(country, 1, 2)",
                "ALTER TABLE customers ALTER COLUMN country DROP DEFAULT, ALTER COLUMN name SET STATISTICS 500",
                "ALTER TABLE customers ALTER COLUMN email SET NOT NULL",
                "ALTER TABLE customers ALTER COLUMN birth_date DROP NOT NULL",
                "ALTER TABLE customers ALTER COLUMN credit_limit SET STORAGE EXTERNAL",
                "ALTER TABLE customers ALTER COLUMN email DROP DEFAULT",
                "ALTER TABLE customers ADD CONSTRAINT c_country CHECK (country <> '') NOT VALID",
                "ALTER TABLE customers ADD CHECK (email IS NOT NULL OR phone IS NOT NULL)",
                "ALTER TABLE customers ADD CONSTRAINT u UNIQUE (email, phone)",
                "ALTER TABLE customers ADD PRIMARY KEY (id)",
                "ALTER TABLE customers ADD CONSTRAINT fk FOREIGN KEY (country) REFERENCES countries (code) ON DELETE SET NULL",
                "ALTER TABLE customers ADD EXCLUDE USING gist (country WITH =)",
                "ALTER TABLE customers DROP COLUMN loyalty",
                "ALTER TABLE customers DROP CONSTRAINT IF EXISTS c_country",
                "ALTER TABLE customers RENAME COLUMN country TO country_code",
                "ALTER TABLE customers RENAME CONSTRAINT c_country TO c_country_code",
                "ALTER TABLE customers VALIDATE CONSTRAINT c_country",
                "ALTER TABLE customers OWNER TO app, SET (fillfactor = 70), CLUSTER ON customers_pkey",
                "ALTER TABLE customers DISABLE TRIGGER ALL",
                "ALTER TABLE customers ENABLE ROW LEVEL SECURITY",
                "COMMENT ON TABLE customers IS 'people'",
                "COMMENT ON COLUMN customers.email IS 'encrypted'",
                "GRANT SELECT, INSERT ON customers TO PUBLIC",
                "REVOKE ALL ON TABLE customers FROM PUBLIC",
                "ANALYZE customers", "VACUUM (ANALYZE) customers", "CLUSTER customers USING customers_pkey",
                "REINDEX TABLE customers",
                "CREATE TABLE invoices (id serial PRIMARY KEY, customer_id int REFERENCES customers(id))",
                "CREATE TABLE IF NOT EXISTS customers (id serial PRIMARY KEY, name text NOT NULL, email bytea UNIQUE,"
                        + " phone bytea, card_number text, birth_date bytea, credit_limit bytea,"
                        + " country text DEFAULT 'HK' CHECK (country <> ''))",
                "ALTER TABLE orders ALTER COLUMN total SET DEFAULT 0",
                "ALTER TABLE orders RENAME TO purchases",
        }) {
            assertAllowed(sql);
        }
    }

    @Test
    void changesThatWouldWriteLeakOrUnmatchAProtectedColumnAreRefusedNamingIt() {
        assertRefused("ALTER TABLE customers RENAME COLUMN email TO mail", "customers.email");
        assertRefused("ALTER TABLE customers RENAME country TO phone", "customers.phone");
        assertRefused("ALTER TABLE customers RENAME TO clients", "customers");
        assertRefused("ALTER TABLE customers_v2 RENAME TO customers", "customers");
        assertRefused("ALTER TABLE customers SET SCHEMA archive", "customers");
        assertRefused("ALTER TABLE customers ALTER COLUMN email TYPE text", "customers.email");
        assertRefused("ALTER TABLE customers ALTER COLUMN phone SET DEFAULT '+85200000000'", "customers.phone");
        assertRefused("ALTER TABLE customers ALTER COLUMN birth_date ADD GENERATED ALWAYS AS IDENTITY", "customers.birth_date");
        assertRefused("ALTER TABLE customers DROP COLUMN card_number", "customers.card_number");
        assertRefused("ALTER TABLE customers ADD COLUMN IF NOT EXISTS email bytea DEFAULT '\\x00'", "customers.email");
        assertRefused("ALTER TABLE customers ADD COLUMN IF NOT EXISTS email varchar(200)", "customers.email");
        assertRefused("ALTER TABLE customers ADD COLUMN IF NOT EXISTS credit_limit numeric", "customers.credit_limit");
        assertRefused("ALTER TABLE customers ADD COLUMN e bytea GENERATED ALWAYS AS (email) STORED", "customers.email");
        assertRefused("ALTER TABLE customers ADD CONSTRAINT c CHECK (email <> 'jane.doe@example.com')", "customers.email");
        assertRefused("ALTER TABLE customers ADD CHECK ('jane.doe@example.com' = email IS NULL)", "customers.email");
        assertRefused("ALTER TABLE customers ADD CHECK (customers IS NOT NULL)", "customers");
        assertRefused("CREATE INDEX ON customers (lower(email::text))", "customers.email");
        assertRefused("CREATE INDEX ON customers (country) WHERE email = 'jane.doe@example.com'", "customers.email");
        assertRefused("ALTER TABLE customers ADD EXCLUDE USING btree (phone WITH =)", "customers.phone");
        assertRefused("ALTER TABLE customers ADD CONSTRAINT u UNIQUE (card_number)", "customers.card_number");
        assertRefused("CREATE UNIQUE INDEX ON customers (birth_date)", "customers.birth_date");
        assertRefused("ALTER TABLE customers ADD FOREIGN KEY (phone) REFERENCES phones (n)", "customers.phone");
        assertRefused("ALTER TABLE customers ALTER COLUMN country TYPE text USING encode(email, 'hex')", "customers.email");
        assertRefused("CREATE TRIGGER t BEFORE INSERT ON customers FOR EACH ROW EXECUTE FUNCTION f()", "CREATE TRIGGER");
        assertRefused("CREATE POLICY p ON customers USING (email = 'jane.doe@example.com')", "CREATE POLICY");
        assertRefused("ALTER TABLE customers ENABLE TRIGGER ALL", "ENABLE TRIGGER");
        assertRefused("ALTER TABLE customers ATTACH PARTITION customers_2024 FOR VALUES IN ('2024')", "customers");
        assertRefused("CREATE TABLE customers_hk PARTITION OF customers FOR VALUES IN ('HK')", "customers");
        assertRefused("ALTER TABLE customers OF customer_type", "not understood");
        assertRefused("CREATE TABLE customers (id int, email bytea DEFAULT '\\x00')", "customers.email");
        assertRefused("CREATE TABLE customers (id int) PARTITION BY RANGE (id)", "PARTITION BY");
    }

    @Test
    void anExpressionNamingAServerFunctionThatReachesAProtectedTableIsRefusedOnAnyTable() {
        String function = "function public.copy_contact() names customers";
        assertNull(refusal("ALTER TABLE orders ADD CHECK (copy_contact(id))", null));
        String refusal = refusal("ALTER TABLE orders ADD CHECK (copy_contact(id))", function);
        assertNotNull(refusal);
        assertTrue(refusal.contains(function), refusal);
        assertNull(refusal("COMMENT ON TABLE orders IS 'copy_contact'", function), "no expression is kept");
    }
}
