package dev.warden.engine;

import java.util.UUID;

/**
 * Who is acting: database user, policy role, declared purpose and client. One per connection (or gateway
 * client). The purpose may change during the session ({@code SET warden.purpose}); the rest is fixed.
 * Not thread-safe beyond the visibility of the purpose, as a JDBC connection is used by one thread at a time.
 */
public final class Session {
    private final String id = UUID.randomUUID().toString();
    private final DatabaseState database;
    private final String user;
    private final String role;
    private volatile String purpose;
    private final String client;
    private final String clientAddress;

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

    public String client() {
        return client;
    }

    public String clientAddress() {
        return clientAddress;
    }
}
