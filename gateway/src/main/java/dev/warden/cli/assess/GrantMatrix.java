package dev.warden.cli.assess;

import dev.warden.audit.ReportTable;
import dev.warden.policy.Access;
import dev.warden.policy.ColumnRule;
import dev.warden.policy.Policy;
import dev.warden.policy.RoleRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * The role × column matrix of a policy: roles down (with the purposes each may act for), protected columns across,
 * each cell the role's grant ({@code plaintext}, {@code masked}, {@code denied}), the purposes a plaintext grant
 * is limited to, and whether the role may filter on and write the column. Stateless.
 */
public final class GrantMatrix {

    private GrantMatrix() {}

    public static ReportTable of(Policy policy) {
        List<String> columns = new ArrayList<>();
        columns.add("role");
        for (ColumnRule rule : policy.columns()) columns.add(rule.qualifiedName());
        List<List<Object>> rows = new ArrayList<>();
        for (RoleRule role : roles(policy)) {
            List<Object> row = new ArrayList<>();
            row.add(role.name() + (role.purposes().isEmpty() ? "" : " (purposes: "
                    + String.join(", ", new TreeSet<>(role.purposes())) + ")"));
            for (ColumnRule rule : policy.columns()) row.add(grant(rule, role.name()));
            rows.add(row);
        }
        return new ReportTable("Role × column matrix", columns, rows);
    }

    /** The policy's roles by name. */
    static List<RoleRule> roles(Policy policy) {
        return policy.roles().stream().sorted((a, b) -> a.name().compareTo(b.name())).toList();
    }

    /** One cell: "plaintext for order-processing (else masked); filter; write". */
    static String grant(ColumnRule rule, String role) {
        Access granted = rule.read().get(role);
        StringBuilder cell = new StringBuilder(granted == null ? "denied" : granted.name().toLowerCase(Locale.ROOT));
        if (granted == Access.PLAINTEXT && !rule.purposes().isEmpty()) {
            cell.append(" for ").append(String.join(", ", new TreeSet<>(rule.purposes())))
                    .append(rule.mask() == null ? " (else denied)" : " (else masked)");
        }
        // without a filter: list, the plaintext readers may filter (ColumnRule#mayFilter), purposes aside
        boolean filters = rule.filterers() == null ? granted == Access.PLAINTEXT : rule.filterers().contains(role);
        if (filters) cell.append("; filter");
        if (rule.mayWrite(role)) cell.append("; write");
        return cell.toString();
    }
}
