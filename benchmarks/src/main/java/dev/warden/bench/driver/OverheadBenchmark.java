package dev.warden.bench.driver;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.DeterministicAead;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import com.google.crypto.tink.daead.PredefinedDeterministicAeadParameters;
import dev.warden.crypto.ColumnCipher;
import dev.warden.crypto.KeyException;
import dev.warden.crypto.MasterKey;
import dev.warden.crypto.WardenKeyset;
import dev.warden.engine.EngineConfig;
import dev.warden.engine.GuardedStatement;
import dev.warden.engine.Session;
import dev.warden.engine.WardenEngine;
import dev.warden.sql.LexedSql;
import dev.warden.sql.SqlLexer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What Warden adds before a statement reaches the database, without the database round trip that dominates
 * (and, on a shared machine, adds noise to) {@link DriverBenchmark}: {@link WardenEngine#guard}, which every
 * {@code prepareStatement} and every plain {@code execute*} pays, and the lexer alone. The database is used
 * only on the first, cache-missing call (table metadata). Also the column ciphers alone on the stored
 * ciphertext, the floor of the per-value cost of a decrypting SELECT, next to Tink's own decryption of the
 * same kind of value (a fresh Tink keyset of the same key type, same plaintext and associated data), which
 * Warden's decryptors replace. One thread per state.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class OverheadBenchmark {

    private WardenEngine engine;
    private Session session;
    private Connection raw;
    private final SplittableRandom random = new SplittableRandom(42);
    private ColumnCipher emailCipher;
    private ColumnCipher cardCipher;
    private byte[] emailCiphertext;
    private String cardCiphertext;
    private DeterministicAead tinkSiv;
    private Aead tinkGcm;
    private byte[] emailAssociatedData;
    private byte[] cardAssociatedData;
    private byte[] emailTinkCiphertext;
    private byte[] cardTinkCiphertext;

    @Setup(Level.Trial)
    public void open(CustomersDatabase db) throws SQLException {
        String policy = db.wardenProperties.getProperty("warden.policy");
        engine = WardenEngine.forConfig(new EngineConfig(Path.of(policy).toString(),
                db.wardenProperties.getProperty("warden.masterKey")));
        session = engine.openSession(db.rawUrl, "postgres", "billing", "order-processing", null, null);
        raw = DriverManager.getConnection(db.rawUrl, db.rawProperties);
        try {
            WardenKeyset keyset = WardenKeyset.read(engine.policy().keysetPath(),
                    MasterKey.resolve(db.wardenProperties.getProperty("warden.masterKey")));
            emailCipher = keyset.deterministic(qualifiedName(engine, "email"));
            cardCipher = keyset.randomized(qualifiedName(engine, "card_number"));
        } catch (KeyException e) {
            throw new IllegalStateException("cannot open the example keyset", e);
        }
        emailCiphertext = db.emailCiphertexts[0];
        cardCiphertext = db.cardCiphertext;
        try {
            // the associated data Warden binds a ciphertext to its column with (TinkAeadColumnCipher)
            emailAssociatedData = ("warden/1:" + qualifiedName(engine, "email")).getBytes(StandardCharsets.UTF_8);
            cardAssociatedData = ("warden/1:" + qualifiedName(engine, "card_number")).getBytes(StandardCharsets.UTF_8);
            tinkSiv = KeysetHandle.generateNew(PredefinedDeterministicAeadParameters.AES256_SIV)
                    .getPrimitive(RegistryConfiguration.get(), DeterministicAead.class);
            tinkGcm = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM)
                    .getPrimitive(RegistryConfiguration.get(), Aead.class);
            emailTinkCiphertext = tinkSiv.encryptDeterministically(emailCipher.decrypt(emailCiphertext),
                    emailAssociatedData);
            cardTinkCiphertext = tinkGcm.encrypt(cardCipher.decrypt(Base64.getDecoder().decode(cardCiphertext)),
                    cardAssociatedData);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up the Tink comparison", e);
        }
    }

    private static String qualifiedName(WardenEngine engine, String column) {
        return engine.policy().columns().stream().filter(c -> c.table().equals("customers")
                && c.column().equals(column)).findFirst().orElseThrow().qualifiedName();
    }

    @TearDown(Level.Trial)
    public void close() throws SQLException {
        raw.close();
    }

    /** Paid by every prepareStatement of the point SELECT: lex, verdict look-up, wrapper objects. */
    @Benchmark
    public GuardedStatement guardPreparedPointSelect() throws SQLException {
        return engine.guard(session, raw, Connections.POINT_SELECT);
    }

    /** Paid by every plain point SELECT: lex, verdict look-up, encrypting the literal, re-rendering the text. */
    @Benchmark
    public GuardedStatement guardPlainPointSelect(CustomersDatabase db) throws SQLException {
        return engine.guard(session, raw, Connections.PLAIN_POINT_SELECT
                + "'" + db.emails[random.nextInt(CustomersDatabase.CUSTOMERS)] + "'");
    }

    /** Paid by every prepareStatement of the two-encrypted-column INSERT. */
    @Benchmark
    public GuardedStatement guardPreparedInsert() throws SQLException {
        return engine.guard(session, raw, Connections.INSERT);
    }

    /** Warden's AES-SIV column decryption alone, on a stored email ciphertext. */
    @Benchmark
    public byte[] decryptEmail() throws GeneralSecurityException {
        return emailCipher.decrypt(emailCiphertext);
    }

    /** Tink's own AES-SIV decryption of an email ciphertext: what {@link #decryptEmail} replaces. */
    @Benchmark
    public byte[] decryptEmailWithTink() throws GeneralSecurityException {
        return tinkSiv.decryptDeterministically(emailTinkCiphertext, emailAssociatedData);
    }

    /** Base64 decoding and Warden's AES-GCM column decryption, on a stored card_number ciphertext (base64 text). */
    @Benchmark
    public byte[] decryptCardBase64() throws GeneralSecurityException {
        return cardCipher.decrypt(Base64.getDecoder().decode(cardCiphertext));
    }

    /** Tink's own AES-GCM decryption of a card_number ciphertext (no base64): what Warden's replaces. */
    @Benchmark
    public byte[] decryptCardWithTink() throws GeneralSecurityException {
        return tinkGcm.decrypt(cardTinkCiphertext, cardAssociatedData);
    }

    /** AES-SIV encryption of one email (Warden's, in Tink's format), as a bound parameter or inline literal costs. */
    @Benchmark
    public byte[] encryptEmail() {
        return emailCipher.encrypt("customer5000@example.com".getBytes(StandardCharsets.UTF_8));
    }

    /** AES-GCM encryption of one card number (Warden's, in Tink's format), random nonce included, before base64. */
    @Benchmark
    public byte[] encryptCard() {
        return cardCipher.encrypt("4111111111111111".getBytes(StandardCharsets.UTF_8));
    }

    /** The same with Tink's own AES-SIV (what Warden used before 2026-12-01), for comparison. */
    @Benchmark
    public byte[] encryptEmailWithTink() throws GeneralSecurityException {
        return tinkSiv.encryptDeterministically("customer5000@example.com".getBytes(StandardCharsets.UTF_8),
                emailAssociatedData);
    }

    /** The same with Tink's own AES-GCM (the JDK's GCM and default SecureRandom), for comparison. */
    @Benchmark
    public byte[] encryptCardWithTink() throws GeneralSecurityException {
        return tinkGcm.encrypt("4111111111111111".getBytes(StandardCharsets.UTF_8), cardAssociatedData);
    }

    /** The lexer alone on the prepared text. */
    @Benchmark
    public LexedSql lexPreparedPointSelect() {
        return SqlLexer.lex(Connections.POINT_SELECT);
    }
}
