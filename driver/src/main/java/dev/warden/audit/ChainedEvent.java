package dev.warden.audit;

/**
 * One event as it stands in the trail: its place in the chain ({@code seq}, the {@code prev} event's hash) and
 * its own {@code hash}, the chain key's MAC over the canonical JSON of everything else. Hashes are lower-case
 * hex; {@code prev} is {@code ""} for the first event of a trail.
 */
public record ChainedEvent(long seq, String prev, String hash, AuditEvent event) {}
