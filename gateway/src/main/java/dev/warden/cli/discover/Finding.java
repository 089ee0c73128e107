package dev.warden.cli.discover;

/**
 * One column that holds personal data, as {@code warden discover} found it: which kind, how it was told (the
 * share of sampled values a detector matched, or the column's name) and whether the application looks rows up
 * by it. Never holds a value. Immutable.
 *
 * @param dataType the column's type in the database ({@code text}, {@code date}, ...)
 * @param matched  sampled values the detector matched (0 when told by name)
 * @param sampled  non-null values sampled (0 for a name-only finding on an empty or non-text column)
 * @param byName   true when the column's name, not its values, told the kind
 * @param lookup   why the column is used for look-ups (a unique constraint, an index, a foreign key), or null
 */
public record Finding(String schema, String table, String column, String dataType, String kind, long matched,
                      long sampled, boolean byName, String lookup) {

    /** {@code table.column}, with the schema when it is not {@code public}. */
    public String qualifiedName() {
        return ("public".equals(schema) ? "" : schema + ".") + table + "." + column;
    }

    /** "92% of 250 sampled values", or "by column name". */
    public String evidence() {
        if (byName) return "by column name";
        long percent = sampled == 0 ? 0 : Math.round(100.0 * matched / sampled);
        return percent + "% of " + sampled + " sampled value" + (sampled == 1 ? "" : "s");
    }
}
