package dev.warden.policy;

/**
 * What a result column the role may not read does to its statement ({@code denied-columns:} at the top of the
 * policy). Either way the role never sees the value; the choice is whether a statement that merely lists the
 * column (a {@code SELECT *}, an ORM loading a whole entity) runs.
 */
public enum DeniedColumns {
    /** The statement is refused (42501), naming the column: the default. */
    REFUSE,
    /**
     * The column keeps its place, name and type and reads as SQL NULL on every row; its stored value is never
     * decrypted. Only a plain read qualifies: an expression over the column, or filtering, grouping or ordering
     * on it, is still refused, since NULL put in its place would change what they compute.
     */
    NULL
}
