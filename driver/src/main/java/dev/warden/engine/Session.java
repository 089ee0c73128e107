package dev.warden.engine;

import java.util.UUID;
import java.util.function.Predicate;

/**
 * Who is acting: database user, policy role, declared purpose and client. One per connection. The role and
 * database never change. Everything else is one immutable {@link Acting} value, replaced whole: by
 * {@code SET warden.purpose} (the purpose only), and by a front door that lends a pooled connection to a
 * client ({@link WardenEngine#lend}) or takes it back ({@link WardenEngine#endLease}). A lend sets every
 * field from the new client's configuration, so nothing an earlier client set can outlive its lease, whether
 * or not the connection was reset when it came back.
 * Not thread-safe beyond the visibility of the acting value, as a JDBC connection is used by one thread at a time.
 */
public final class Session {

    /**
     * The part of a session that may change: user, purpose, client application and address, and which
     * purposes {@code SET warden.purpose} may switch to (beyond the role's own rule).
     */
    record Acting(String user, String purpose, String client, String clientAddress, Predicate<String> mayDeclare) {}

    private static final Predicate<String> ANY_PURPOSE_OF_THE_ROLE = p -> true;

    private final String id = UUID.randomUUID().toString();
    private final DatabaseState database;
    private final String role;
    /** What the connection was opened with: a lease ends back here. */
    private final Acting own;
    private volatile Acting acting;
    private final NameResolution names = new NameResolution();

    /**
     * A schema change (a CREATE FUNCTION or OPERATOR...) ran and may not be committed yet: other sessions that
     * re-read the catalog meanwhile did not see it, so the catalog is dropped again when the transaction commits.
     */
    private volatile boolean schemaChangeUncommitted;

    /** The policy the role and purpose were last checked against: after a policy reload, checked again. */
    private volatile dev.warden.policy.Policy checkedAgainst;

    Session(DatabaseState database, String user, String role, String purpose, String client,
            String clientAddress) {
        this.database = database;
        this.role = role;
        this.own = new Acting(user, purpose, client, clientAddress, ANY_PURPOSE_OF_THE_ROLE);
        this.acting = own;
    }

    void schemaChanged() {
        schemaChangeUncommitted = true;
    }

    /** True (once) when a schema change ran since the last call: the caller's commit made it visible. */
    boolean takeSchemaChange() {
        boolean was = schemaChangeUncommitted;
        schemaChangeUncommitted = false;
        return was;
    }

    dev.warden.policy.Policy checkedAgainst() {
        return checkedAgainst;
    }

    void checkedAgainst(dev.warden.policy.Policy policy) {
        checkedAgainst = policy;
    }

    DatabaseState database() {
        return database;
    }

    /** What this session's table names resolve to (its own: temp tables and search_path are per session). */
    NameResolution names() {
        return names;
    }

    public String id() {
        return id;
    }

    public String user() {
        return acting.user();
    }

    public String role() {
        return role;
    }

    public String purpose() {
        return acting.purpose();
    }

    public String client() {
        return acting.client();
    }

    public String clientAddress() {
        return acting.clientAddress();
    }

    /** True when {@code SET warden.purpose} may switch to {@code purpose} (the role's rule is checked apart). */
    boolean mayDeclare(String purpose) {
        return acting.mayDeclare().test(purpose);
    }

    /** {@code SET warden.purpose}: the purpose changes, the rest of the acting value stays. */
    void purpose(String purpose) {
        Acting a = acting;
        acting = new Acting(a.user(), purpose, a.client(), a.clientAddress(), a.mayDeclare());
    }

    /** The client's application_name changed (SET, RESET, a rolled-back SET): the rest of the acting value stays. */
    void client(String client) {
        Acting a = acting;
        acting = new Acting(a.user(), a.purpose(), client, a.clientAddress(), a.mayDeclare());
    }

    /** Lent to a client: every changeable field is replaced at once. */
    void lend(String user, String purpose, String client, String clientAddress, Predicate<String> mayDeclare) {
        acting = new Acting(user, purpose, client, clientAddress,
                mayDeclare == null ? ANY_PURPOSE_OF_THE_ROLE : mayDeclare);
        names.changed();  // whatever the last client left on the connection, its names are read again
    }

    /** The lease ended: back to what the connection was opened with. */
    void endLease() {
        acting = own;
        names.changed();
    }
}
