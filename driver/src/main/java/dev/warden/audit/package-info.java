/**
 * The audit trail: one {@link dev.warden.audit.AuditEvent} per statement, hash-chained with a keyed MAC
 * ({@link dev.warden.audit.ChainKey}) so that any edit, insertion, deletion, reordering or truncation is
 * detected by {@link dev.warden.audit.AuditVerifier}.
 *
 * <h2>Line format</h2> One JSON object per line (see {@link dev.warden.audit.AuditLineCodec}): {@code seq}
 * (monotonic across files and restarts), {@code prev} (the previous event's hash), the event's components in
 * declaration order, then {@code hash} = hex(MAC(the line without its {@code ,"hash":"…"} field)).
 *
 * <h2>Sinks</h2> {@link dev.warden.audit.JsonLinesAuditSink} (rotated files) and
 * {@link dev.warden.audit.DatabaseAuditSink} (a table over its own connection) share one bounded queue and
 * writer thread ({@code BatchingAuditWriter}): {@code record} is a queue insertion, sync durability is group
 * commit, a full queue blocks, failures are fail-closed or fail-open and never drop an accepted event.
 *
 * <h2>End of trail</h2> A clean close writes a {@code seal} event. A trail whose last file does not end with one
 * is live (a sink holds its lock file: a warning), or crashed or cut (an error: events after the last seq may be
 * missing). There are no periodic checkpoints: while a trail is live, a cut tail shows up as soon as the next
 * event is written (its seq continues after the cut), and a restart writes an alarm naming the torn or unsealed
 * end it found. A seal proves only that the trail once ended there: removing every file of the runs after a
 * clean close is caught only against an outside record of the head ({@code seq} and hash printed by each
 * verification; {@link dev.warden.audit.AuditVerification#expectAtLeast}).
 *
 * <p>This package imports no other Warden component.
 */
package dev.warden.audit;
