package dev.warden.policy;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Turns a composed YAML node tree into a validated {@link Policy}. Works on nodes rather than constructed
 * maps so that every error can name the line it is about, and so that duplicate keys (which a plain map
 * load would silently collapse) are caught. One instance reads one document; not thread-safe, not shared.
 */
final class YamlPolicyReader {

    private static final List<String> TOP_KEYS =
            List.of("keyset", "keyset-reload", "policy-reload", "roles", "tables", "functions", "audit", "denied-columns",
                    "mode", "observe", "sort-row-cap");
    private static final List<String> OBSERVE_KEYS = List.of("call-site-skip");
    /** A Java package or class name prefix, as {@code observe.call-site-skip} lists them. */
    private static final Pattern PACKAGE_PREFIX =
            Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)*");
    private static final List<String> ROLE_KEYS = List.of("purposes");
    private static final List<String> COLUMN_KEYS = List.of("encrypt", "type", "read", "mask", "write", "filter", "purposes",
            "match", "join-group", "order");
    private static final List<String> AUDIT_KEYS =
            List.of("path", "durability", "on-failure", "hash-row-keys", "rotate-size-mb", "rotate-daily", "table",
                    "instance", "anchor");
    private static final List<String> AUDIT_TABLE_KEYS = List.of("jdbc-url", "user", "password", "name");
    /** An upper bound that keeps megabytes-to-bytes from overflowing and catches unit mistakes. */
    private static final long MAX_ROTATE_SIZE_MB = 1024L * 1024;
    private static final Pattern INTERVAL = Pattern.compile("([0-9]{1,9})(ms|s|m|h)");
    /** Bounds of {@code keyset-reload} and {@code policy-reload}: below 100 ms it would be a busy loop, above a day a mistake. */
    private static final Duration MIN_INTERVAL = Duration.ofMillis(100);
    private static final Duration MAX_INTERVAL = Duration.ofHours(24);

    private static final Map<String, Encryption> ENCRYPTIONS = words(Encryption.values());
    private static final Map<String, ColumnType> TYPES = words(ColumnType.values());
    private static final Map<String, MaskKind> MASKS = words(MaskKind.values());
    private static final Map<String, Access> ACCESS_WORDS = words(Access.values());
    private static final Map<String, DeniedColumns> DENIED_COLUMNS_WORDS = words(DeniedColumns.values());
    private static final Map<String, Mode> MODES = words(Mode.values());

    private final String source;
    private final Path baseDir;
    private final String version;

    private final Map<String, RoleRule> roles = new LinkedHashMap<>();
    /** Every purpose some role declares: the only ones a column may list. */
    private final Set<String> declaredPurposes = new TreeSet<>();
    /** The join groups of the columns read so far. */
    private final JoinGroups joinGroups;

    /** A mapping entry whose key is known to be a scalar. */
    private record Entry(String key, ScalarNode keyNode, Node value) {}

    /** An encrypting column's {@code encrypt} node and its rule path, to report a missing keyset there. */
    private record Encrypted(Node node, String path) {}

    /** Where a bare table name was first seen, to report a table named twice. */
    private record TableSeen(String written, int line) {}

    YamlPolicyReader(String source, Path baseDir, String version) {
        this.source = source;
        this.joinGroups = new JoinGroups(source);
        this.baseDir = baseDir;
        this.version = version;
    }

    Policy read(Node root) throws PolicyException {
        Map<String, Entry> top = mapping(root, "policy");
        checkKeys(top, "policy", TOP_KEYS);

        Entry rolesEntry = require(top, root, "policy", "roles", "the roles sessions may take");
        readRoles(rolesEntry.value());

        Path keysetPath = null;
        Entry keyset = top.get("keyset");
        if (keyset != null) {
            keysetPath = resolve(keyset.value(), "keyset");
        }
        Entry reload = top.get("keyset-reload");
        Duration keysetReload = reload == null ? Policy.DEFAULT_KEYSET_RELOAD
                : interval(reload.value(), "keyset-reload");
        Entry policyReloadEntry = top.get("policy-reload");
        Duration policyReload = policyReloadEntry == null ? Policy.DEFAULT_POLICY_RELOAD
                : interval(policyReloadEntry.value(), "policy-reload");

        Entry tablesEntry = require(top, root, "policy", "tables", "the protected tables and their columns");
        List<ColumnRule> columns = new ArrayList<>();
        Encrypted firstEncrypted = readTables(tablesEntry.value(), columns);
        if (keysetPath == null && firstEncrypted != null) {
            throw fail(firstEncrypted.node(), firstEncrypted.path(),
                    "the column is encrypted but the policy names no 'keyset' file");
        }

        Entry audit = top.get("audit");
        AuditSettings auditSettings = audit == null ? AuditSettings.defaults(baseDir) : readAudit(audit.value());

        Entry functionsEntry = top.get("functions");
        List<TrustedFunction> trusted = functionsEntry == null ? List.of() : readFunctions(functionsEntry.value());

        Entry denied = top.get("denied-columns");
        DeniedColumns deniedColumns = denied == null ? DeniedColumns.REFUSE
                : word(denied.value(), "denied-columns", "value", DENIED_COLUMNS_WORDS);

        return new Policy(source, version, keysetPath, keysetReload, roles.values(), columns, auditSettings, trusted,
                deniedColumns, policyReload, readObservation(top.get("mode"), top.get("observe")),
                readSortRowCap(top.get("sort-row-cap")));
    }

    /** {@code sort-row-cap: n}: a whole number from 1 to {@link SortRowCap#MAX}. */
    private SortRowCap readSortRowCap(Entry entry) throws PolicyException {
        if (entry == null) return SortRowCap.DEFAULT;
        String value = scalar(entry.value(), "sort-row-cap").getValue().strip();
        if (value.matches("[0-9]{1,10}")) {
            long n = Long.parseLong(value);
            if (n >= 1 && n <= SortRowCap.MAX) return new SortRowCap((int) n, source, line(entry.value()));
        }
        throw fail(entry.value(), "sort-row-cap", "expected a whole number of rows from 1 to " + SortRowCap.MAX
                + " (the most rows Warden reads to sort or aggregate encrypted columns itself), found '" + value + "'");
    }

    // ---- mode and observe

    /** {@code mode: enforce | observe} and {@code observe: { call-site-skip: [package, ...] }}. */
    private Observation readObservation(Entry modeEntry, Entry observeEntry) throws PolicyException {
        Mode mode = modeEntry == null ? Mode.ENFORCE : word(modeEntry.value(), "mode", "mode", MODES);
        List<String> skip = new ArrayList<>();
        if (observeEntry != null) {
            Map<String, Entry> body = mapping(observeEntry.value(), "observe");
            checkKeys(body, "observe", OBSERVE_KEYS);
            Entry skipEntry = body.get("call-site-skip");
            if (skipEntry != null) {
                for (ScalarNode item : scalarList(skipEntry.value(), "observe.call-site-skip")) {
                    String prefix = item.getValue();
                    if (!PACKAGE_PREFIX.matcher(prefix).matches()) {
                        throw fail(item, "observe.call-site-skip", "'" + prefix + "' is not a Java package or class"
                                + " name (expected e.g. com.acme.db)");
                    }
                    skip.add(prefix);
                }
            }
        }
        return new Observation(mode, skip);
    }

    // ---- functions

    /** A name as PostgreSQL folds an unquoted identifier: a letter or _, then letters, digits, _ or $. */
    private static final Pattern FUNCTION_NAME = Pattern.compile("[a-z_][a-z0-9_$]*\\.[a-z_][a-z0-9_$]*");

    /**
     * {@code functions: [schema.name, ...]}: functions Warden cannot analyse that the DBA vouches for. Each is
     * schema-qualified (an unqualified name could be any schema's function of that name), named once, and not a
     * system function: those are judged by Warden's own list, which the policy cannot widen.
     */
    private List<TrustedFunction> readFunctions(Node node) throws PolicyException {
        List<TrustedFunction> out = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (ScalarNode item : scalarList(node, "functions")) {
            String written = item.getValue();
            String name = written.toLowerCase(Locale.ROOT);
            if (!FUNCTION_NAME.matcher(name).matches()) {
                throw fail(item, "functions", "'" + written + "' is not a schema-qualified function name"
                        + " (expected schema.function, e.g. public.audit_row)");
            }
            int dot = name.indexOf('.');
            String schema = name.substring(0, dot);
            if (schema.equals("pg_catalog") || schema.equals("information_schema") || schema.startsWith("pg_")) {
                throw fail(item, "functions", "'" + written + "' is a system function: Warden judges those by its"
                        + " own list, which a policy cannot widen");
            }
            Integer first = seen.putIfAbsent(name, line(item));
            if (first != null) {
                throw fail(item, "functions", "'" + written + "' is listed twice (first on line " + first + ")");
            }
            out.add(new TrustedFunction(schema, name.substring(dot + 1), line(item)));
        }
        return out;
    }

    // ---- roles

    private void readRoles(Node node) throws PolicyException {
        Map<String, Entry> entries = mapping(node, "roles");
        if (entries.isEmpty()) {
            throw fail(node, "roles", "no roles declared");
        }
        for (Entry e : entries.values()) {
            String path = "roles." + e.key();
            Set<String> purposes = Set.of();
            if (!isEmptyValue(e.value())) {
                Map<String, Entry> body = mapping(e.value(), path);
                checkKeys(body, path, ROLE_KEYS);
                Entry p = body.get("purposes");
                if (p != null) {
                    purposes = new LinkedHashSet<>();
                    for (ScalarNode item : scalarList(p.value(), path + ".purposes")) {
                        purposes.add(item.getValue());
                    }
                }
            }
            roles.put(e.key(), new RoleRule(e.key(), purposes));
            declaredPurposes.addAll(purposes);
        }
    }

    // ---- tables and columns

    /** Reads every table into {@code out}; returns the {@code encrypt} node of the first encrypted column. */
    private Encrypted readTables(Node node, List<ColumnRule> out) throws PolicyException {
        Map<String, Entry> tables = mapping(node, "tables");
        if (tables.isEmpty()) {
            throw fail(node, "tables", "no tables listed: a policy protects at least one table");
        }
        Map<String, TableSeen> seen = new HashMap<>();
        Encrypted firstEncrypted = null;
        for (Entry t : tables.values()) {
            String path = "tables." + t.key();
            String[] name = tableName(t, path);
            String schema = name[0];
            String table = name[1];
            TableSeen earlier = seen.putIfAbsent(table, new TableSeen(t.key(), line(t.keyNode())));
            if (earlier != null) {
                throw fail(t.keyNode(), path, "table '" + table + "' is already listed at line " + earlier.line()
                        + " as '" + earlier.written() + "' (a table may appear once, qualified or not, so that "
                        + "a statement naming no schema has exactly one rule)");
            }
            if (isEmptyValue(t.value())) {
                throw fail(t.keyNode(), path, "table '" + t.key() + "' lists no columns");
            }
            Map<String, Entry> columns = mapping(t.value(), path);
            if (columns.isEmpty()) {
                throw fail(t.value(), path, "table '" + t.key() + "' lists no columns");
            }
            for (Entry c : columns.values()) {
                Encrypted encrypted = readColumn(schema, table, c, path + "." + c.key(), out);
                if (firstEncrypted == null) {
                    firstEncrypted = encrypted;
                }
            }
        }
        return firstEncrypted;
    }

    /** {@code [schema or null, table]} from a table key. */
    private String[] tableName(Entry t, String path) throws PolicyException {
        String written = t.key();
        int dot = written.indexOf('.');
        String schema = dot < 0 ? null : written.substring(0, dot);
        String table = dot < 0 ? written : written.substring(dot + 1);
        if ((schema != null && schema.isEmpty()) || table.isEmpty() || table.indexOf('.') >= 0) {
            throw fail(t.keyNode(), path, "'" + written + "' is not a table name (expected table or schema.table)");
        }
        return new String[] {schema, table};
    }

    /** Reads one column rule into {@code out}; returns its {@code encrypt} node when it encrypts, else null. */
    private Encrypted readColumn(String schema, String table, Entry c, String path, List<ColumnRule> out)
            throws PolicyException {
        if (isEmptyValue(c.value())) {
            throw fail(c.keyNode(), path, "missing 'encrypt' and 'read' (allowed keys: " + allowed(COLUMN_KEYS) + ")");
        }
        Map<String, Entry> body = mapping(c.value(), path);
        checkKeys(body, path, COLUMN_KEYS);

        Entry encryptEntry = require(body, c.keyNode(), path, "encrypt", "one of " + allowed(ENCRYPTIONS.keySet()));
        Encryption encryption = word(encryptEntry.value(), path + ".encrypt", "encryption", ENCRYPTIONS);

        Entry typeEntry = body.get("type");
        ColumnType type = typeEntry == null ? ColumnType.TEXT : word(typeEntry.value(), path + ".type", "type", TYPES);

        Entry maskEntry = body.get("mask");
        MaskKind mask = null;
        if (maskEntry != null) {
            mask = word(maskEntry.value(), path + ".mask", "mask", MASKS);
            if ((mask == MaskKind.EMAIL || mask == MaskKind.LAST4) && type != ColumnType.TEXT) {
                throw fail(maskEntry.value(), path + ".mask", "mask '" + lower(mask) + "' needs a text column; a "
                        + lower(type) + " column may use redact or null");
            }
        }

        Entry readEntry = require(body, c.keyNode(), path, "read",
                "which roles see the column: { role: plaintext | masked | denied }");
        Map<String, Access> read = new LinkedHashMap<>();
        for (Entry grant : mapping(readEntry.value(), path + ".read").values()) {
            requireDeclaredRole(grant.keyNode(), grant.key(), path + ".read");
            Access access = word(grant.value(), path + ".read", "access", ACCESS_WORDS);
            if (access == Access.MASKED && mask == null) {
                throw fail(grant.value(), path + ".read", "role '" + grant.key()
                        + "' is granted 'masked' but the column has no 'mask' (one of " + allowed(MASKS.keySet()) + ")");
            }
            read.put(grant.key(), access);
        }

        Set<String> writers = new LinkedHashSet<>();
        Entry writeEntry = body.get("write");
        if (writeEntry != null) {
            for (ScalarNode item : scalarList(writeEntry.value(), path + ".write")) {
                requireDeclaredRole(item, item.getValue(), path + ".write");
                writers.add(item.getValue());
            }
        }

        boolean match = readMatch(body.get("match"), encryption, type, path);
        OrderIndexKind order = readOrder(body.get("order"), encryption, type, path);
        // an index lets the database compare a randomized column's values for the roles the list names
        Set<String> filterers = (match || order.any()) && encryption == Encryption.RANDOMIZED && body.get("filter") != null
                ? readFilterOfMatchColumn(body.get("filter"), path) : readFilter(body.get("filter"), encryption, path);

        Set<String> purposes = new LinkedHashSet<>();
        Entry purposesEntry = body.get("purposes");
        if (purposesEntry != null) {
            for (ScalarNode item : scalarList(purposesEntry.value(), path + ".purposes")) {
                if (!declaredPurposes.contains(item.getValue())) {
                    throw fail(item, path + ".purposes", "purpose '" + item.getValue() + "' is declared by no role"
                            + " (declared purposes: " + (declaredPurposes.isEmpty() ? "none" : allowed(declaredPurposes))
                            + ")");
                }
                purposes.add(item.getValue());
            }
        }

        String joinGroup = joinGroups.read(body.get("join-group") == null ? null : body.get("join-group").value(), encryption, type, schema, table, c.key(), path);
        out.add(new ColumnRule(schema, table, c.key(), encryption, type, read, mask, writers, purposes,
                filterers, line(c.keyNode()), match, joinGroup, order));
        if (encryption == Encryption.NONE) {
            return null;
        }
        return new Encrypted(encryptEntry.value(), path + ".encrypt");
    }

    /**
     * {@code match: true|false}: whether the column keeps a keyed n-gram index for LIKE and ILIKE. Only on an
     * encrypted text column: a rules-only column is plaintext in the database already, and the index is built
     * over text.
     */
    private boolean readMatch(Entry matchEntry, Encryption encryption, ColumnType type, String path)
            throws PolicyException {
        if (matchEntry == null) return false;
        String where = path + ".match";
        if (!(matchEntry.value() instanceof ScalarNode scalar)
                || !("true".equals(scalar.getValue()) || "false".equals(scalar.getValue()))) {
            throw fail(matchEntry.value(), where, "'match' must be true or false");
        }
        if (!"true".equals(scalar.getValue())) return false;
        if (encryption == Encryption.NONE) {
            throw fail(matchEntry.value(), where, "a rules-only column (encrypt: none) is plaintext in the database,"
                    + " which can search it itself; 'match' builds an index for encrypted columns only");
        }
        if (type != ColumnType.TEXT) {
            throw fail(matchEntry.value(), where, "'match' indexes text: the column's type is " + lower(type));
        }
        return true;
    }

    /**
     * {@code order: true|filter|false}: whether the column keeps an order-revealing index for range predicates
     * ({@code true} and {@code filter} mean the same: the index the database compares a query's bound with). Only on an
     * encrypted column of a type with an order: integer, bigint, numeric, date, timestamp, text.
     */
    private OrderIndexKind readOrder(Entry orderEntry, Encryption encryption, ColumnType type, String path)
            throws PolicyException {
        if (orderEntry == null) return OrderIndexKind.NONE;
        String where = path + ".order";
        if (!(orderEntry.value() instanceof ScalarNode scalar)
                || !List.of("true", "false", "filter").contains(scalar.getValue())) {
            throw fail(orderEntry.value(), where, "'order' must be true, filter or false");
        }
        if ("false".equals(scalar.getValue())) return OrderIndexKind.NONE;
        if (encryption == Encryption.NONE) {
            throw fail(orderEntry.value(), where, "a rules-only column (encrypt: none) is plaintext in the database,"
                    + " which compares it itself; 'order' builds an index for encrypted columns only");
        }
        if (type == ColumnType.BYTES) {
            throw fail(orderEntry.value(), where, "'order' needs a column of type integer, bigint, numeric, date,"
                    + " timestamp or text: the column's type is " + lower(type));
        }
        return OrderIndexKind.FILTER;
    }

    /**
     * A match or order column's {@code filter:} list: on a randomized column it grants LIKE and ILIKE, or ranges,
     * through the index.
     */
    private Set<String> readFilterOfMatchColumn(Entry filterEntry, String path) throws PolicyException {
        Set<String> filterers = new LinkedHashSet<>();
        for (ScalarNode item : scalarList(filterEntry.value(), path + ".filter")) {
            requireDeclaredRole(item, item.getValue(), path + ".filter");
            filterers.add(item.getValue());
        }
        return filterers;
    }

    /**
     * The roles of a column's {@code filter:} list, or null when it has none (the plaintext readers may filter).
     * A list naming roles on a randomized column is a mistake: the database cannot compare its values for
     * anyone, and IS [NOT] NULL, which does work, needs no filter right.
     */
    private Set<String> readFilter(Entry filterEntry, Encryption encryption, String path) throws PolicyException {
        if (filterEntry == null) {
            return null;
        }
        Set<String> filterers = new LinkedHashSet<>();
        for (ScalarNode item : scalarList(filterEntry.value(), path + ".filter")) {
            requireDeclaredRole(item, item.getValue(), path + ".filter");
            filterers.add(item.getValue());
        }
        if (encryption == Encryption.RANDOMIZED && !filterers.isEmpty()) {
            throw fail(filterEntry.value(), path + ".filter", "the column is encrypted randomized, so the database"
                    + " cannot compare its values for any role: 'filter' has nothing to grant (use encrypt:"
                    + " deterministic for equality search, or remove 'filter')");
        }
        return filterers;
    }

    private void requireDeclaredRole(Node node, String role, String path) throws PolicyException {
        if (!roles.containsKey(role)) {
            throw fail(node, path, "unknown role '" + role + "' (declared roles: "
                    + allowed(new TreeSet<>(roles.keySet())) + ")");
        }
    }

    // ---- audit

    private AuditSettings readAudit(Node node) throws PolicyException {
        AuditSettings defaults = AuditSettings.defaults(baseDir);
        if (isEmptyValue(node)) {
            return defaults;
        }
        Map<String, Entry> body = mapping(node, "audit");
        checkKeys(body, "audit", AUDIT_KEYS);
        Path path = defaults.path();
        String durability = defaults.durability();
        String onFailure = defaults.onFailure();
        boolean hashRowKeys = defaults.hashRowKeys();
        long rotateSizeBytes = defaults.rotateSizeBytes();
        boolean rotateDaily = defaults.rotateDaily();
        AuditSettings.Table table = null;
        String instance = null;
        Path anchor = null;
        for (Entry e : body.values()) {
            String p = "audit." + e.key();
            switch (e.key()) {
                case "path":
                    path = resolve(e.value(), p);
                    break;
                case "durability":
                    durability = oneOf(e.value(), p, "durability", List.of(AuditSettings.ASYNC, AuditSettings.SYNC));
                    break;
                case "on-failure":
                    onFailure = oneOf(e.value(), p, "on-failure",
                            List.of(AuditSettings.FAIL_CLOSED, AuditSettings.FAIL_OPEN));
                    break;
                case "hash-row-keys":
                    hashRowKeys = bool(e.value(), p);
                    break;
                case "rotate-size-mb":
                    rotateSizeBytes = megabytes(e.value(), p) * 1024 * 1024;
                    break;
                case "rotate-daily":
                    rotateDaily = bool(e.value(), p);
                    break;
                case "table":
                    table = readAuditTable(e.value(), p);
                    break;
                case "instance":
                    instance = nonEmptyScalar(e.value(), p).getValue();
                    if (!AuditSettings.INSTANCE_NAME.matcher(instance).matches()) {
                        throw fail(e.value(), p, "'" + instance + "' must be 1 to 100 letters, digits, '.', '_' or "
                                + "'-', starting with a letter or digit (it becomes part of the trail's file names)");
                    }
                    break;
                case "anchor":
                    anchor = resolve(e.value(), p);
                    break;
                default:
                    throw new AssertionError(e.key()); // checkKeys let through only the keys above
            }
        }
        return new AuditSettings(path, durability, onFailure, hashRowKeys, rotateSizeBytes, rotateDaily, table)
                .withInstance(instance, anchor);
    }

    /** {@code audit.table: {jdbc-url, user, password, name}}: the trail goes to a database table. */
    private AuditSettings.Table readAuditTable(Node node, String path) throws PolicyException {
        Map<String, Entry> body = mapping(node, path);
        checkKeys(body, path, AUDIT_TABLE_KEYS);
        Entry url = body.get("jdbc-url");
        if (url == null) throw fail(node, path, "missing jdbc-url (the audit database's plain JDBC URL)");
        String jdbcUrl = scalar(url.value(), path + ".jdbc-url").getValue();
        if (!jdbcUrl.startsWith("jdbc:") || jdbcUrl.startsWith("jdbc:warden:")) {
            throw fail(url.value(), path + ".jdbc-url", "expected a plain JDBC URL (jdbc:postgresql://...), not '"
                    + (jdbcUrl.startsWith("jdbc:") ? "jdbc:warden:..." : "a non-JDBC value") + "'");
        }
        String user = body.get("user") == null ? null : scalar(body.get("user").value(), path + ".user").getValue();
        String password = null;
        if (body.get("password") != null) {
            password = scalar(body.get("password").value(), path + ".password").getValue();
            if (!password.startsWith("env:") && !password.startsWith("file:")) {
                // a secret written into the policy file would be read by everyone who may read the policy
                throw fail(body.get("password").value(), path + ".password",
                        "write the password as a reference, env:NAME or file:PATH");
            }
        }
        String name = body.get("name") == null ? "warden_audit" : scalar(body.get("name").value(), path + ".name").getValue();
        return new AuditSettings.Table(jdbcUrl, user, password, name);
    }

    private boolean bool(Node node, String path) throws PolicyException {
        ScalarNode s = scalar(node, path);
        if (!Tag.BOOL.equals(s.getTag())) {
            throw fail(node, path, "expected true or false, found '" + s.getValue() + "'");
        }
        return Boolean.parseBoolean(s.getValue().toLowerCase(Locale.ROOT));
    }

    /**
     * An interval such as {@code 10s}, {@code 500ms}, {@code 5m} or {@code 1h}; {@code 0} or {@code off} is
     * {@link Duration#ZERO}.
     */
    private Duration interval(Node node, String path) throws PolicyException {
        String value = scalar(node, path).getValue().strip();
        if (value.equals("0") || value.equalsIgnoreCase("off")) return Duration.ZERO;
        Matcher m = INTERVAL.matcher(value);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            Duration d = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
            if (d.isZero()) return d;
            if (d.compareTo(MIN_INTERVAL) >= 0 && d.compareTo(MAX_INTERVAL) <= 0) return d;
        }
        throw fail(node, path, "expected an interval from " + MIN_INTERVAL.toMillis() + "ms to "
                + MAX_INTERVAL.toHours() + "h such as 10s, 500ms, 5m or 1h, or 0 / off to turn it off, found '"
                + value + "'");
    }

    private long megabytes(Node node, String path) throws PolicyException {
        String value = scalar(node, path).getValue();
        if (!value.matches("[0-9]{1,8}") || Long.parseLong(value) > MAX_ROTATE_SIZE_MB) {
            throw fail(node, path, "expected a whole number of megabytes from 0 (no size rotation) to "
                    + MAX_ROTATE_SIZE_MB + ", found '" + value + "'");
        }
        return Long.parseLong(value);
    }

    // ---- node helpers

    private Path resolve(Node node, String path) throws PolicyException {
        String written = nonEmptyScalar(node, path).getValue();
        try {
            Path p = Path.of(written);
            return baseDir == null ? p : baseDir.resolve(p);
        } catch (InvalidPathException e) {
            throw fail(node, path, "'" + written + "' is not a valid path: " + e.getReason());
        }
    }

    /** The entries of a mapping node by key, in order; rejects non-scalar and duplicate keys. */
    private Map<String, Entry> mapping(Node node, String path) throws PolicyException {
        if (!(node instanceof MappingNode)) {
            throw fail(node, path, "expected a mapping, found " + describe(node));
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (NodeTuple tuple : ((MappingNode) node).getValue()) {
            Node key = tuple.getKeyNode();
            if (!(key instanceof ScalarNode) || ((ScalarNode) key).getValue().isEmpty()) {
                throw fail(key, path, "expected a name as key, found " + describe(key));
            }
            ScalarNode keyNode = (ScalarNode) key;
            Entry earlier = entries.putIfAbsent(keyNode.getValue(), new Entry(keyNode.getValue(), keyNode,
                    tuple.getValueNode()));
            if (earlier != null) {
                throw fail(keyNode, path, "duplicate key '" + keyNode.getValue() + "' (first at line "
                        + line(earlier.keyNode()) + ")");
            }
        }
        return entries;
    }

    private void checkKeys(Map<String, Entry> entries, String path, List<String> allowedKeys) throws PolicyException {
        for (Entry e : entries.values()) {
            if (!allowedKeys.contains(e.key())) {
                throw fail(e.keyNode(), path, "unknown key '" + e.key() + "' (allowed keys: " + allowed(allowedKeys) + ")");
            }
        }
    }

    private Entry require(Map<String, Entry> entries, Node owner, String path, String key, String what)
            throws PolicyException {
        Entry e = entries.get(key);
        if (e == null) {
            throw fail(owner, path, "missing '" + key + "' (" + what + ")");
        }
        return e;
    }

    private ScalarNode scalar(Node node, String path) throws PolicyException {
        if (!(node instanceof ScalarNode)) {
            throw fail(node, path, "expected a single value, found " + describe(node));
        }
        return (ScalarNode) node;
    }

    private ScalarNode nonEmptyScalar(Node node, String path) throws PolicyException {
        ScalarNode s = scalar(node, path);
        if (s.getValue().isEmpty()) {
            throw fail(node, path, "missing value");
        }
        return s;
    }

    /** A list of non-empty scalars; an empty list is allowed. */
    private List<ScalarNode> scalarList(Node node, String path) throws PolicyException {
        if (!(node instanceof SequenceNode)) {
            throw fail(node, path, "expected a list such as [a, b], found " + describe(node));
        }
        List<ScalarNode> items = new ArrayList<>();
        for (Node item : ((SequenceNode) node).getValue()) {
            items.add(nonEmptyScalar(item, path));
        }
        return items;
    }

    private <E> E word(Node node, String path, String what, Map<String, E> allowedWords) throws PolicyException {
        String value = nonEmptyScalar(node, path).getValue();
        E e = allowedWords.get(value);
        if (e == null) {
            throw fail(node, path, "unknown " + what + " '" + value + "' (allowed: "
                    + allowed(allowedWords.keySet()) + ")");
        }
        return e;
    }

    private String oneOf(Node node, String path, String what, List<String> allowedWords) throws PolicyException {
        String value = nonEmptyScalar(node, path).getValue();
        if (!allowedWords.contains(value)) {
            throw fail(node, path, "unknown " + what + " '" + value + "' (allowed: " + allowed(allowedWords) + ")");
        }
        return value;
    }

    /** An absent value ({@code key:} with nothing after it), which YAML composes as an empty null scalar. */
    private static boolean isEmptyValue(Node node) {
        return node instanceof ScalarNode && Tag.NULL.equals(node.getTag()) && ((ScalarNode) node).getValue().isEmpty();
    }

    private static String describe(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        if (node instanceof ScalarNode) {
            String value = ((ScalarNode) node).getValue();
            return value.isEmpty() ? "nothing" : "'" + value + "'";
        }
        return "a " + node.getNodeType().name().toLowerCase(Locale.ROOT);
    }

    private PolicyException fail(Node node, String path, String problem) {
        return new PolicyException(source + ":" + line(node) + ": " + path + ": " + problem);
    }

    /** 1-based line of a node; marks are always on (the loader's settings). */
    static int line(Node node) {
        return node.getStartMark().map(m -> m.getLine() + 1).orElse(0);
    }

    private static String allowed(Iterable<String> words) {
        return String.join(", ", words);
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    private static <E extends Enum<E>> Map<String, E> words(E[] values) {
        Map<String, E> map = new LinkedHashMap<>();
        for (E e : values) {
            map.put(lower(e), e);
        }
        return map;
    }
}
