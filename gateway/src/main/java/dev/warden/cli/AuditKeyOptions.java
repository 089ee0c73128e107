package dev.warden.cli;

import dev.warden.audit.ChainKey;
import dev.warden.crypto.KeyException;
import dev.warden.crypto.MasterKey;
import dev.warden.crypto.WardenKeyset;
import dev.warden.engine.AuditTrails;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where {@code warden audit verify} gets the audit MAC key: the deployment's keyset (opened with the master key)
 * or, hidden and for tests and tools only, a file of raw HMAC-SHA256 key bytes.
 */
final class AuditKeyOptions {

    @Option(names = "--keyset", paramLabel = "FILE", description = "The Warden keyset file (holds the audit MAC key).")
    Path keyset;

    @Option(names = "--master-key", paramLabel = "REF",
            description = "Master key reference: env:NAME, file:PATH or pkcs11:URI (default: env WARDEN_MASTER_KEY).")
    String masterKey;

    @Option(names = "--hmac-key-file", paramLabel = "FILE", hidden = true,
            description = "Raw HMAC-SHA256 key bytes instead of a keyset (tests and tools).")
    Path hmacKeyFile;

    /** The chain key, or null when no key option was given. */
    ChainKey resolve() throws KeyException, IOException {
        if (hmacKeyFile != null) {
            return ChainKey.hmacSha256(Files.readAllBytes(hmacKeyFile));
        }
        if (keyset == null) {
            return null;
        }
        return AuditTrails.chainKey(WardenKeyset.read(keyset, MasterKey.resolve(masterKey)));
    }
}
