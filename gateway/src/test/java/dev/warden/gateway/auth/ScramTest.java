package dev.warden.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** SCRAM-SHA-256 verifiers and the server side of the exchange (RFC 5802 / RFC 7677). */
class ScramTest {

    /** RFC 7677 section 3: user "user", password "pencil". */
    @Test
    void rfc7677TestVectorProofAndServerSignature() {
        byte[] salt = Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ==");
        ScramVerifier v = ScramVerifier.derive("pencil".toCharArray(), salt, 4096);
        String clientFirstBare = "n=user,r=rOprNGfwEbeRWgbNEkqO";
        String serverFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
        String withoutProof = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
        byte[] auth = (clientFirstBare + "," + serverFirst + "," + withoutProof).getBytes(StandardCharsets.UTF_8);
        byte[] salted = ScramVerifier.saltedPassword("pencil".toCharArray(), salt, 4096);
        byte[] clientKey = ScramVerifier.hmac(salted, "Client Key".getBytes(StandardCharsets.US_ASCII));
        byte[] sig = ScramVerifier.hmac(v.storedKey(), auth);
        byte[] proof = new byte[32];
        for (int i = 0; i < 32; i++) {
            proof[i] = (byte) (clientKey[i] ^ sig[i]);
        }
        assertEquals("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", Base64.getEncoder().encodeToString(proof));
        assertEquals("6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
                Base64.getEncoder().encodeToString(ScramVerifier.hmac(v.serverKey(), auth)));
    }

    @Test
    void verifierTextRoundTripsInPostgresFormat() {
        ScramVerifier v = ScramVerifier.generate("s3cret".toCharArray(), 4096);
        String text = v.format();
        assertTrue(text.matches("SCRAM-SHA-256\\$4096:[A-Za-z0-9+/=]+\\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+"), text);
        ScramVerifier back = ScramVerifier.parse(text);
        assertTrue(back.matches("s3cret".toCharArray()));
        assertFalse(back.matches("S3cret".toCharArray()));
        assertFalse(v.toString().contains(Base64.getEncoder().encodeToString(v.storedKey())));
    }

    @Test
    void malformedVerifiersAreRejectedWithoutEchoingThem() {
        for (String bad : new String[] {"md5abcdef", "SCRAM-SHA-256$x:y$z:w", "SCRAM-SHA-256$4096:AAAA$AAAA:AAAA"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ScramVerifier.parse(bad));
            assertFalse(e.getMessage().contains(bad));
        }
    }

    static String clientFinal(ScramServerExchange server, String password, String clientNonce) throws Exception {
        String serverFirst = server.clientFirst("n,,n=,r=" + clientNonce);
        String nonce = serverFirst.split(",")[0].substring(2);
        assertTrue(nonce.startsWith(clientNonce));
        byte[] salt = Base64.getDecoder().decode(serverFirst.split(",")[1].substring(2));
        String withoutProof = "c=biws,r=" + nonce;
        byte[] auth = ("n=,r=" + clientNonce + "," + serverFirst + "," + withoutProof).getBytes(StandardCharsets.UTF_8);
        byte[] salted = ScramVerifier.saltedPassword(password.toCharArray(), salt, 4096);
        byte[] clientKey = ScramVerifier.hmac(salted, "Client Key".getBytes(StandardCharsets.US_ASCII));
        byte[] sig = ScramVerifier.hmac(ScramVerifier.sha256(clientKey), auth);
        byte[] proof = new byte[32];
        for (int i = 0; i < 32; i++) {
            proof[i] = (byte) (clientKey[i] ^ sig[i]);
        }
        return server.clientFinal(withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof));
    }

    @Test
    void rightPasswordPassesAndWrongPasswordFails() throws Exception {
        ScramVerifier v = ScramVerifier.generate("right".toCharArray(), 4096);
        assertNotNull(clientFinal(new ScramServerExchange(v), "right", "abc123"));
        assertNull(clientFinal(new ScramServerExchange(v), "wrong", "abc123"));
    }

    @Test
    void unknownUserExchangeLooksRealButAlwaysFails() throws Exception {
        ScramServerExchange a = ScramServerExchange.forUnknownUser("ghost");
        ScramServerExchange b = ScramServerExchange.forUnknownUser("ghost");
        String fa = a.clientFirst("n,,n=,r=xyz");
        String fb = b.clientFirst("n,,n=,r=xyz");
        // same salt for the same name on every attempt, like a real user's
        assertEquals(fa.split(",")[1], fb.split(",")[1]);
        assertNull(clientFinal(ScramServerExchange.forUnknownUser("ghost"), "anything", "n1"));
    }

    @Test
    void protocolViolationsAreErrors() {
        ScramVerifier v = ScramVerifier.generate("pw".toCharArray(), 4096);
        assertThrows(ScramServerExchange.ScramException.class,
                () -> new ScramServerExchange(v).clientFirst("p=tls-server-end-point,,n=,r=abc"));
        assertThrows(ScramServerExchange.ScramException.class, () -> new ScramServerExchange(v).clientFirst("n,,n=,"));
        ScramServerExchange s = new ScramServerExchange(v);
        assertThrows(ScramServerExchange.ScramException.class, () -> {
            s.clientFirst("n,,n=,r=abc");
            s.clientFinal("c=biws,r=other,p=AAAA");
        });
    }

    @Test
    void channelBindingDowngradeIsDetected() throws Exception {
        ScramVerifier v = ScramVerifier.generate("pw".toCharArray(), 4096);
        ScramServerExchange offered = new ScramServerExchange(v);
        offered.channelBinding(new byte[32], ScramVerifier.MECHANISM);
        // 'y': the client supports binding but believes the server does not, though it was offered
        assertThrows(ScramServerExchange.ScramException.class, () -> offered.clientFirst("y,,n=,r=abc"));
        ScramServerExchange plus = new ScramServerExchange(v);
        plus.channelBinding(new byte[32], ScramServerExchange.MECHANISM_PLUS);
        assertThrows(ScramServerExchange.ScramException.class, () -> plus.clientFirst("n,,n=,r=abc"));
        ScramServerExchange noTls = new ScramServerExchange(v);
        assertThrows(ScramServerExchange.ScramException.class,
                () -> noTls.channelBinding(null, ScramServerExchange.MECHANISM_PLUS));
        ScramServerExchange plain = new ScramServerExchange(v);
        plain.channelBinding(null, ScramVerifier.MECHANISM);
        assertNotNull(plain.clientFirst("y,,n=,r=abc"));
    }
}
