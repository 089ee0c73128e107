package dev.warden.crypto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The Wycheproof AEAD and DAEAD test vectors copied into the test resources ({@code wycheproof/}, with their
 * licence and provenance), flattened to one record per test with its group's sizes.
 */
final class WycheproofVectors {
    private static final HexFormat HEX = HexFormat.of();

    /**
     * One test: sizes in bits from its group ({@code ivBits} and {@code tagBits} 0 where the group has none);
     * {@code tag} empty where the file puts it inside {@code ct} (AES-SIV: V || C).
     */
    record Vector(int tcId, String comment, int keyBits, int ivBits, int tagBits,
                  byte[] key, byte[] iv, byte[] aad, byte[] msg, byte[] ct, byte[] tag, String result) {
        boolean valid() {
            return "valid".equals(result);
        }

        /** Names the vector in an assertion message: its id, comment and sizes, never more. */
        String label() {
            return "Wycheproof tcId " + tcId + " (" + comment + "; key " + keyBits
                    + (ivBits > 0 ? ", nonce " + ivBits : "") + " bits)";
        }
    }

    private WycheproofVectors() {
    }

    /** Every test of {@code wycheproof/<file>}; fails when the file is missing or declares another count. */
    static List<Vector> load(String file) {
        JsonNode root;
        try (InputStream in = WycheproofVectors.class.getResourceAsStream("/wycheproof/" + file)) {
            if (in == null) throw new IllegalStateException("test resource wycheproof/" + file + " is missing");
            root = new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Vector> vectors = new ArrayList<>();
        for (JsonNode group : root.get("testGroups")) {
            for (JsonNode test : group.get("tests")) {
                vectors.add(new Vector(test.get("tcId").asInt(), test.path("comment").asText(),
                        group.get("keySize").asInt(), group.path("ivSize").asInt(), group.path("tagSize").asInt(),
                        hex(test, "key"), hex(test, "iv"), hex(test, "aad"), hex(test, "msg"), hex(test, "ct"),
                        hex(test, "tag"), test.get("result").asText()));
            }
        }
        if (vectors.size() != root.get("numberOfTests").asInt()) {
            throw new IllegalStateException(file + " declares " + root.get("numberOfTests") + " tests, holds " + vectors.size());
        }
        return vectors;
    }

    private static byte[] hex(JsonNode test, String field) {
        return HEX.parseHex(test.path(field).asText(""));
    }
}
