package dev.warden.engine;

import java.util.UUID;

/**
 * Who is acting: database user, policy role, declared purpose and client. One per connection. The purpose
 * may change during the session ({@code SET warden.purpose}); user and client change only when a gateway
 * hands a pooled connection to another client; role and database never change.
 * Not thread-safe beyond the visibility of the purpose, as a JDBC connection is used by one thread at a time.
 */
public final class Session {
    private final String id = UUID.randomUUID().toString();
    private final DatabaseState database;
    private volatile String user;
    private final String role;
    private volatile String purpose;
    private volatile String client;
    private volatile String clientAddress;
    private final NameResolution names = new NameResolution();

    Session(DatabaseState database, String user, String role, String purpose, String client,
            String clientAddress) {
        this.database = database;
        this.user = user;
        this.role = role;
        this.purpose = purpose;
        this.client = client;
        this.clientAddress = clientAddress;
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
        return user;
    }

    public String role() {
        return role;
    }

    public String purpose() {
        return purpose;
    }

    void purpose(String purpose) {
        this.purpose = purpose;
    }

    /** Who the session now acts for: the gateway re-attributes a pooled connection to each client. */
    void attributeTo(String user, String client, String clientAddress) {
        this.user = user;
        this.client = client;
        this.clientAddress = clientAddress;
    }

    public String client() {
        return client;
    }

    public String clientAddress() {
        return clientAddress;
    }
}
