package dev.warden.cli;

import dev.warden.crypto.KeyException;
import dev.warden.crypto.MasterKey;
import dev.warden.crypto.WardenKeyset;
import dev.warden.engine.RowKeys;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code warden audit row-key}: the keyed hash under which the trail records a row's primary key (policy
 * {@code audit.hash-row-keys: true}), to pass to {@code audit report --row-key-hash}: one hash per audit key of
 * the keyset, comma-separated, the current key's first, so that the report covers every audit-key era.
 */
@Command(name = "row-key", mixinStandardHelpOptions = true,
        description = "Print the keyed hashes the audit trail records for a row's primary key, one per audit key "
                + "(comma-separated, the current key's first).")
final class AuditRowKeyCommand implements Callable<Integer> {

    @Option(names = "--keyset", required = true, paramLabel = "FILE", description = "The Warden keyset file.")
    Path keyset;

    @Option(names = "--master-key", paramLabel = "REF", description = KeysCommand.MASTER_KEY_HELP)
    String masterKey;

    @Option(names = "--table", required = true, description = "The protected table, as the policy names it.")
    String table;

    @Parameters(paramLabel = "KEY", description = "The primary key value, as PostgreSQL prints it (e.g. 42).")
    String key;

    @Override
    public Integer call() {
        try {
            WardenKeyset keys = WardenKeyset.read(keyset, MasterKey.resolve(masterKey));
            System.out.println(String.join(",", RowKeys.hashesUnderEveryKey(keys, table, key)));
            return 0;
        } catch (KeyException e) {
            System.err.println("warden audit row-key: " + e.getMessage());
            return 2;
        }
    }
}
