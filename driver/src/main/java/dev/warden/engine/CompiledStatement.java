package dev.warden.engine;

import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * The engine's verdict on one normalised statement for one role and purpose: refused (with the error to
 * raise), or allowed with which placeholders to encrypt and how to decode the result. Immutable, cached.
 *
 * @param slotColumns     by slot index: the protected column whose value that placeholder carries, or null
 * @param decoder         how to show result columns, or null when no output column is protected
 * @param columnsRead     for the audit trail: table.column to "plaintext" / "masked"
 * @param keyExpansion    how to send equality filters once per key after a rotation, or null (the usual case:
 *                        one key, the statement is sent as written)
 * @param note            for the audit trail of an allowed statement (its reason), e.g. the trusted functions it
 *                        calls; null when there is nothing to note
 * @param matchWrites     how to write the match index beside the match columns the statement writes, or null
 * @param matchFilters    the LIKEs answered through match indexes, or null
 * @param textEdits       where the text sent spells out what the application left to the server ({@code *}, an
 *                        INSERT's column list) without the tables' internal columns ({@link dev.warden.sql.Plan#edits})
 */
record CompiledStatement(String refusalState, String refusalMessage, ProtectedColumn[] slotColumns,
                         ResultDecoder decoder, String kind, List<String> tables, Map<String, String> columnsRead,
                         List<String> columnsWritten, List<String> columnsFiltered, boolean changesSchema,
                         boolean touchesProtected, KeyExpansion keyExpansion, String note, MatchWrites matchWrites,
                         MatchFilters matchFilters, List<dev.warden.sql.TextEdit> textEdits) {

    CompiledStatement(String refusalState, String refusalMessage, ProtectedColumn[] slotColumns,
                      ResultDecoder decoder, String kind, List<String> tables, Map<String, String> columnsRead,
                      List<String> columnsWritten, List<String> columnsFiltered, boolean changesSchema,
                      boolean touchesProtected, KeyExpansion keyExpansion, String note) {
        this(refusalState, refusalMessage, slotColumns, decoder, kind, tables, columnsRead, columnsWritten,
                columnsFiltered, changesSchema, touchesProtected, keyExpansion, note, null, null, List.of());
    }

    CompiledStatement(String refusalState, String refusalMessage, ProtectedColumn[] slotColumns,
                      ResultDecoder decoder, String kind, List<String> tables, Map<String, String> columnsRead,
                      List<String> columnsWritten, List<String> columnsFiltered, boolean changesSchema,
                      boolean touchesProtected, KeyExpansion keyExpansion) {
        this(refusalState, refusalMessage, slotColumns, decoder, kind, tables, columnsRead, columnsWritten,
                columnsFiltered, changesSchema, touchesProtected, keyExpansion, null);
    }

    /** This verdict with {@code note} for the audit trail (this one when the note is null). */
    CompiledStatement withNote(String note) {
        if (note == null) return this;
        return new CompiledStatement(refusalState, refusalMessage, slotColumns, decoder, kind, tables, columnsRead,
                columnsWritten, columnsFiltered, changesSchema, touchesProtected, keyExpansion, note, matchWrites,
                matchFilters, textEdits);
    }

    /** This verdict, writing the match index beside the match columns it writes ({@code writes} may be null). */
    CompiledStatement withMatchWrites(MatchWrites writes) {
        if (writes == null) return this;
        return new CompiledStatement(refusalState, refusalMessage, slotColumns, decoder, kind, tables, columnsRead,
                columnsWritten, columnsFiltered, changesSchema, touchesProtected, keyExpansion, note, writes,
                matchFilters, textEdits);
    }

    /** This verdict, answering LIKEs through match indexes ({@code filters} may be null). */
    CompiledStatement withMatchFilters(MatchFilters filters) {
        if (filters == null) return this;
        return new CompiledStatement(refusalState, refusalMessage, slotColumns, decoder, kind, tables, columnsRead,
                columnsWritten, columnsFiltered, changesSchema, touchesProtected, keyExpansion, note, matchWrites,
                filters, textEdits);
    }

    /** This verdict, sending the statement with {@code edits} applied (see {@link #textEdits}). */
    CompiledStatement withTextEdits(List<dev.warden.sql.TextEdit> edits) {
        if (edits.isEmpty()) return this;
        return new CompiledStatement(refusalState, refusalMessage, slotColumns, decoder, kind, tables, columnsRead,
                columnsWritten, columnsFiltered, changesSchema, touchesProtected, keyExpansion, note, matchWrites,
                matchFilters, List.copyOf(edits));
    }

    static CompiledStatement refused(String state, String message, String kind, List<String> tables) {
        return new CompiledStatement(state, message, null, null, kind, tables, Map.of(), List.of(), List.of(),
                false, true, null);
    }

    /** A refusal over one column, which the audit record names as read "denied", written or filtered. */
    static CompiledStatement refusedOn(String state, String message, String kind, List<String> tables,
                                       String column, dev.warden.sql.UseKind use) {
        Map<String, String> read = Map.of();
        List<String> written = List.of();
        List<String> filtered = List.of();
        switch (use) {
            case WRITE_VALUE, WRITE_NULL, WRITE_FROM_EXCLUDED -> written = List.of(column);
            case FILTER_EQUALITY, FILTER_NULL, COMPARE_SAME_COLUMN, FILTER_MATCH, FILTER_ORDER, GROUP,
                 COMPARE_OTHER_COLUMN ->
                    filtered = List.of(column);
            default -> read = Map.of(column, "denied");
        }
        return new CompiledStatement(state, message, null, null, kind, tables, read, written, filtered, false, true,
                null);
    }

    boolean isRefused() {
        return refusalState != null;
    }

    SQLException refusal() {
        return SqlStates.of(refusalState, refusalMessage);
    }

    boolean hasProtectedSlots() {
        if (slotColumns == null) return false;
        for (ProtectedColumn c : slotColumns) if (c != null) return true;
        return false;
    }
}
