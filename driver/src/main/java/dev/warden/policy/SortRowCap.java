package dev.warden.policy;

/**
 * {@code sort-row-cap:} at the top of the policy: the most rows a statement may bring back for Warden to sort or
 * aggregate itself (ORDER BY, MIN, MAX on encrypted columns, which the database cannot order). Warden reads at
 * most one row more than this and refuses the statement (54000) when that row exists, before showing any.
 *
 * @param rows   the cap, at least 1
 * @param source the policy file that set it, or null for the default
 * @param line   its line there; 0 for the default
 */
public record SortRowCap(int rows, String source, int line) {

    /** The cap when the policy names none. */
    public static final SortRowCap DEFAULT = new SortRowCap(10_000, null, 0);

    /** The largest cap a policy may set: every row is held in memory while it is sorted. */
    public static final int MAX = 10_000_000;

    public SortRowCap {
        if (rows < 1 || rows > MAX) throw new IllegalArgumentException("sort-row-cap out of range: " + rows);
    }

    /** Where the cap comes from, for a refusal: "sort-row-cap (policy.yaml:7)" or "sort-row-cap (default)". */
    public String origin() {
        return "sort-row-cap (" + (line == 0 ? "default" : source + ":" + line) + ")";
    }
}
