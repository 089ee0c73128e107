package dev.warden.audit;

import java.nio.file.Path;

/**
 * Child JVM for {@link JsonLinesAuditSinkCrashTest}: records events in sync durability forever and prints each
 * event's number (its seq, as the trail is new) once {@code record} has returned. Killed with SIGKILL.
 */
public final class AuditCrashChild {

    private AuditCrashChild() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        JsonLinesAuditSink sink = new JsonLinesAuditSink(
                AuditFixtures.config(dir, AuditSinkConfig.Durability.SYNC).withRotation(64 * 1024, false),
                AuditFixtures.KEY);
        for (int i = 1; ; i++) {
            sink.record(AuditFixtures.statement(i));
            System.out.println(i);
            System.out.flush();
        }
    }
}
