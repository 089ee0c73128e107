package dev.warden.cli;

import dev.warden.crypto.KeyException;
import dev.warden.crypto.MasterKey;
import dev.warden.crypto.WardenKeyset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Key management: create a keyset, rotate it, make a master key. */
@Command(name = "keys", description = "Create and rotate keysets (encrypted under the master key).",
        mixinStandardHelpOptions = true,
        subcommands = {KeysCommand.Create.class, KeysCommand.Rotate.class, ReencryptCommand.class,
                KeysCommand.Retire.class, KeysCommand.AddMatchKey.class, KeysCommand.AddOrderKey.class, KeysCommand.Rewrap.class,
                KeysCommand.NewMasterKey.class, KeysCommand.HsmCreateKey.class})
public final class KeysCommand implements Runnable {

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    static final String MASTER_KEY_HELP = "master key reference: env:NAME, file:PATH or a key on a PKCS#11 token,"
            + " pkcs11:token=LABEL;object=LABEL?module-path=LIB&pin-source=file:PATH (default: the environment"
            + " variable WARDEN_MASTER_KEY)";

    @Command(name = "create", description = "Write a new keyset file, encrypted under the master key.",
            mixinStandardHelpOptions = true)
    static final class Create implements Callable<Integer> {
        @Option(names = "--out", required = true, description = "keyset file to write")
        Path out;

        @Option(names = "--master-key", description = MASTER_KEY_HELP)
        String masterKey;

        @Option(names = "--force", description = "overwrite an existing file")
        boolean force;

        @Override
        public Integer call() throws Exception {
            if (Files.exists(out) && !force) {
                System.err.println("warden keys create: " + out + " exists; pass --force to overwrite it"
                        + " (data encrypted under its keys would become unreadable)");
                return 2;
            }
            MasterKey key = masterKey(masterKey);
            if (key == null) return 2;
            WardenKeyset.generate().write(out, key);
            System.out.println("wrote keyset " + out + " (encrypted under the master key)");
            return 0;
        }
    }

    @Command(name = "rotate", description = "Add a new primary key to each keyset; old keys still decrypt.",
            mixinStandardHelpOptions = true)
    static final class Rotate implements Callable<Integer> {
        @Option(names = "--keyset", required = true, description = "keyset file to rotate in place")
        Path keyset;

        @Option(names = "--master-key", description = MASTER_KEY_HELP)
        String masterKey;

        @Override
        public Integer call() throws Exception {
            MasterKey key = masterKey(masterKey);
            if (key == null) return 2;
            try {
                WardenKeyset.read(keyset, key).rotate().write(keyset, key);
            } catch (KeyException e) {
                System.err.println("warden keys rotate: " + e.getMessage());
                return 1;
            }
            System.out.println("rotated " + keyset + ": new data is encrypted under new keys; old data still opens");
            return 0;
        }
    }

    @Command(name = "retire", description = "Disable every data key but the primaries, once all protected"
            + " columns are re-encrypted (warden keys reencrypt): ends a rotation.", mixinStandardHelpOptions = true)
    static final class Retire implements Callable<Integer> {
        @Option(names = "--keyset", required = true, description = "keyset file to change in place")
        Path keyset;

        @Option(names = "--master-key", description = MASTER_KEY_HELP)
        String masterKey;

        @Option(names = "--yes", description = "confirm that every protected table has been re-encrypted")
        boolean yes;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            java.io.PrintWriter out = spec.commandLine().getOut();
            java.io.PrintWriter err = spec.commandLine().getErr();
            if (!yes) {
                err.println("warden keys retire: values still encrypted under a retired key no longer open;"
                        + " run warden keys reencrypt on every protected table first, then pass --yes");
                return 2;
            }
            MasterKey key = masterKey(masterKey);
            if (key == null) return 2;
            int before;
            int after;
            try {
                WardenKeyset current = WardenKeyset.read(keyset, key);
                WardenKeyset retired = current.retireOldDataKeys();
                before = current.enabledDataKeys();
                after = retired.enabledDataKeys();
                if (before != after) retired.write(keyset, key);
            } catch (KeyException e) {
                err.println("warden keys retire: " + e.getMessage());
                return 1;
            }
            out.println("retired " + (before - after) + " old data key(s) in " + keyset
                    + "; audit keys are kept so old trails still verify. Restart Warden to use it.");
            return 0;
        }
    }

    @Command(name = "add-match-key", description = "Add a match key (for match: true columns) to a keyset written"
            + " before match indexes existed; every other key stays as it is.", mixinStandardHelpOptions = true)
    static final class AddMatchKey extends AddDerivationKey {
        AddMatchKey() {
            super("match", "indexes", WardenKeyset::hasMatchKey, WardenKeyset::withMatchKey);
        }
    }

    @Command(name = "add-order-key", description = "Add an order key (for order-revealing indexes) to a keyset"
            + " written before order indexes existed; every other key stays as it is.", mixinStandardHelpOptions = true)
    static final class AddOrderKey extends AddDerivationKey {
        AddOrderKey() {
            super("order", "order indexes", WardenKeyset::hasOrderKey, WardenKeyset::withOrderKey);
        }
    }

    /**
     * Adds one optional key from which per-column index keys are derived (match, order) to a keyset that has none:
     * the same steps and messages for each kind, so the commands cannot drift apart.
     */
    abstract static class AddDerivationKey implements Callable<Integer> {
        @Option(names = "--keyset", required = true, description = "keyset file to change in place")
        Path keyset;

        @Option(names = "--master-key", description = MASTER_KEY_HELP)
        String masterKey;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        private final String kind;
        private final String builds;
        private final java.util.function.Predicate<WardenKeyset> has;
        private final java.util.function.UnaryOperator<WardenKeyset> add;

        AddDerivationKey(String kind, String builds, java.util.function.Predicate<WardenKeyset> has,
                         java.util.function.UnaryOperator<WardenKeyset> add) {
            this.kind = kind;
            this.builds = builds;
            this.has = has;
            this.add = add;
        }

        @Override
        public Integer call() throws Exception {
            java.io.PrintWriter out = spec.commandLine().getOut();
            java.io.PrintWriter err = spec.commandLine().getErr();
            MasterKey key = masterKey(masterKey);
            if (key == null) return 2;
            try {
                WardenKeyset current = WardenKeyset.read(keyset, key);
                if (has.test(current)) {
                    out.println(keyset + " already holds " + article() + " key; nothing changed");
                    return 0;
                }
                add.apply(current).write(keyset, key);
            } catch (KeyException e) {
                err.println("warden keys add-" + kind + "-key: " + e.getMessage());
                return 1;
            }
            out.println("added " + article() + " key to " + keyset + "; then run warden schema --apply and warden keys"
                    + " reencrypt to build the " + builds + " of existing rows");
            return 0;
        }

        private String article() {
            return (kind.startsWith("o") ? "an " : "a ") + kind;
        }
    }

    @Command(name = "rewrap", description = "Encrypt a keyset under another master key (e.g. move it from a file"
            + " key to a key on a PKCS#11 token); its keys stay the same.", mixinStandardHelpOptions = true)
    static final class Rewrap implements Callable<Integer> {
        @Option(names = "--keyset", required = true, description = "keyset file to change in place")
        Path keyset;

        @Option(names = "--master-key", description = "the master key the keyset is encrypted under now: "
                + MASTER_KEY_HELP)
        String masterKey;

        @Option(names = "--new-master-key", required = true, description = "the master key to encrypt it under"
                + " (env:NAME, file:PATH or pkcs11:URI)")
        String newMasterKey;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            java.io.PrintWriter out = spec.commandLine().getOut();
            java.io.PrintWriter err = spec.commandLine().getErr();
            MasterKey from;
            MasterKey to;
            try {
                from = MasterKey.resolve(masterKey);
                to = MasterKey.resolve(newMasterKey);
                WardenKeyset keys = WardenKeyset.read(keyset, from);
                // written beside it and read back before it replaces the file: a master key that seals but does
                // not open (a wrong token, a broken module) must not cost the keyset
                Path next = keyset.resolveSibling(keyset.getFileName() + ".rewrap");
                keys.write(next, to);
                if (!keys.sameKeysAs(WardenKeyset.read(next, to))) {
                    Files.delete(next);
                    err.println("warden keys rewrap: " + keyset + " does not read back with the same keys under "
                            + to.source() + "; left unchanged");
                    return 1;
                }
                Files.move(next, keyset, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (KeyException e) {
                err.println("warden keys rewrap: " + e.getMessage());
                return 1;
            }
            out.println("re-encrypted " + keyset + " under " + to.source() + " (was " + from.source()
                    + "); its keys are unchanged. Restart Warden with the new master key (a new master key is not"
                    + " picked up by keyset reload)");
            return 0;
        }
    }

    @Command(name = "hsm-create-key", description = "Generate the master key on a PKCS#11 token (AES-256, sensitive,"
            + " not extractable: it never leaves the token), under the label the pkcs11: reference names.",
            mixinStandardHelpOptions = true)
    static final class HsmCreateKey implements Callable<Integer> {
        @Option(names = "--master-key", required = true, description = "the key to create, as a reference:"
                + " pkcs11:token=LABEL;object=LABEL?module-path=LIB&pin-source=file:PATH")
        String masterKey;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            try {
                String created = MasterKey.createOnToken(masterKey);
                spec.commandLine().getOut().println("created an AES-256 key on the token: " + created
                        + "; now warden keys create --master-key (or rewrap) with this reference");
                return 0;
            } catch (KeyException e) {
                spec.commandLine().getErr().println("warden keys hsm-create-key: " + e.getMessage());
                return 1;
            }
        }
    }

    @Command(name = "master-key", description = "Print a new random master key (base64 of 32 bytes).",
            mixinStandardHelpOptions = true)
    static final class NewMasterKey implements Callable<Integer> {
        @Override
        public Integer call() {
            System.out.println(MasterKey.generateBase64());
            return 0;
        }
    }

    static MasterKey masterKey(String reference) {
        try {
            return MasterKey.resolve(reference);
        } catch (KeyException e) {
            System.err.println("warden: " + e.getMessage());
            return null;
        }
    }
}
