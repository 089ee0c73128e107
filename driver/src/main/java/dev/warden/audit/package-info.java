/**
 * The audit trail: one {@link dev.warden.audit.AuditEvent} per statement, hash-chained with a keyed MAC
 * ({@link dev.warden.audit.ChainKey}) so that any edit, insertion, deletion, reordering or truncation is
 * detected by {@link dev.warden.audit.AuditVerifier}.
 *
 * <h2>Line format</h2> One JSON object per line (see {@link dev.warden.audit.AuditLineCodec}): {@code seq}
 * (monotonic across files and restarts), {@code prev} (the previous event's hash), the event's components in
 * declaration order, then {@code hash} = hex(MAC(the line without its {@code ,"hash":"…"} field)). Files are
 * written in format 2: repeated values are defined once per file (a line's {@code def}, see
 * {@link dev.warden.audit.TrailDictionary}) and referred to by id; {@link dev.warden.audit.AuditLineReader} reads
 * both formats back (docs/audit.md, "Trail format").
 *
 * <h2>Sinks</h2> {@link dev.warden.audit.JsonLinesAuditSink} (rotated files) and
 * {@link dev.warden.audit.DatabaseAuditSink} (a table over its own connection) share one bounded queue and
 * writer thread ({@code BatchingAuditWriter}): {@code record} is a queue insertion, sync durability is group
 * commit, a full queue blocks, failures are fail-closed or fail-open and never drop an accepted event.
 *
 * <h2>Chains</h2> Each writing instance keeps a chain of its own ({@code BASE@INSTANCE-…jsonl}, see
 * {@link dev.warden.audit.AuditTrailFiles}); {@link dev.warden.audit.AuditVerifier#verifyChains} checks each on
 * its own. A trail written before instances is one chain named by its base.
 *
 * <h2>End of trail</h2> A clean close writes a {@code seal} event, a rotation ends the file with a
 * {@code file-rotated} mark. A chain whose last event is a rotation mark has lost its newest file (an error, live
 * or not). A chain whose last file does not end with a seal is live (a sink holds its lock file: a warning), or
 * crashed or cut (an error: events after the last seq may be missing). A seal proves only that the chain once
 * ended there: removing every file of the runs after a clean close, or a whole chain, is caught only against an
 * outside record of the head: the {@link dev.warden.audit.AnchorFile} the writers append their forced heads to,
 * or a head printed by an earlier verification ({@link dev.warden.audit.AuditVerification#expectAtLeast}).
 *
 * <p>This package imports no other Warden component.
 */
package dev.warden.audit;
