package dev.warden.gateway;

import dev.warden.gateway.auth.GatewayUser;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Finds the configured gateway users that run as one database user while differing in role or purposes. PostgreSQL
 * knows only the database user, so such users are one principal to it whatever the policy says: each can cancel or
 * terminate the others' statements ({@code pg_cancel_backend}, {@code pg_terminate_backend} with a pid read from
 * {@code pg_stat_activity}), read, change and unlink the others' large objects, alter or drop what the others
 * created and finish their prepared transactions. No SQL-text filter can stop that (wrapper functions, DO blocks
 * reach the same calls), so {@code warden serve} warns, and with {@code isolate-users: true} refuses to start.
 * Users of the same role and purposes sharing a database user are not reported: the policy treats them alike
 * already. Stateless.
 */
final class BackendUserSharing {

    /** The gateway users (more than one role or purpose among them) that run as {@code databaseUser}. */
    record Shared(String databaseUser, List<GatewayUser> users) {}

    private BackendUserSharing() {
    }

    /** Every database user shared across roles or purposes, in database-user order. */
    static List<Shared> find(GatewayConfig config) {
        Map<String, List<GatewayUser>> byDatabaseUser = new TreeMap<>();
        for (GatewayUser user : config.users().values()) {
            byDatabaseUser.computeIfAbsent(databaseUser(user, config), k -> new ArrayList<>()).add(user);
        }
        List<Shared> shared = new ArrayList<>();
        byDatabaseUser.forEach((databaseUser, users) -> {
            Set<List<Object>> accesses = new LinkedHashSet<>();
            users.forEach(u -> accesses.add(access(u)));
            if (accesses.size() > 1) {
                users.sort(java.util.Comparator.comparing(GatewayUser::name));
                shared.add(new Shared(databaseUser, List.copyOf(users)));
            }
        });
        return shared;
    }

    /** What users of one shared database user can do to each other, and the remedy (without a final period). */
    static String describe(Shared shared) {
        StringBuilder names = new StringBuilder();
        for (GatewayUser u : shared.users()) {
            if (!names.isEmpty()) names.append(", ");
            names.append(u.name()).append(" (role ").append(u.role());
            if (u.purpose() != null) names.append(", purpose ").append(u.purpose());
            if (!u.purposes().isEmpty()) names.append(", purposes ").append(String.join("/", new java.util.TreeSet<>(u.purposes())));
            names.append(')');
        }
        return "gateway users " + names + " all run as database user " + shared.databaseUser()
                + ", so PostgreSQL cannot tell them apart: each can cancel or terminate the others' statements"
                + " (pg_cancel_backend/pg_terminate_backend with a pid from pg_stat_activity), read, change and unlink"
                + " the others' large objects, alter or drop the tables and other objects the others created, and"
                + " commit or roll back their prepared transactions. Give each its own database user"
                + " (users.<name>.backend-user and backend-password)";
    }

    private static String databaseUser(GatewayUser user, GatewayConfig config) {
        if (user.backendLogin() != null) return "'" + user.backendLogin().user() + "'";
        return config.backend().user() != null ? "'" + config.backend().user() + "'"
                : "(the one in backend.url, backend.user not set)";
    }

    /** What the policy lets a user do: users with equal access are alike to it. */
    private static List<Object> access(GatewayUser user) {
        return List.of(user.role(), Objects.toString(user.purpose()), Set.copyOf(user.purposes()));
    }
}
