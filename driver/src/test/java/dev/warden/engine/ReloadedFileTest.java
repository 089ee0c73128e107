package dev.warden.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bounded read that the policy and keyset reloaders share. */
class ReloadedFileTest {

    /** The problem as the caller's exception, to see which one the read reports. */
    static final class Refused extends Exception {
        final ReloadedFile.Problem problem;

        Refused(ReloadedFile.Problem problem) {
            this.problem = problem;
        }
    }

    @TempDir Path dir;

    @Test
    void aFileUpToTheBoundIsReadWhole() throws Exception {
        Path file = Files.write(dir.resolve("policy.yaml"), "version: 1\n".getBytes());
        assertArrayEquals("version: 1\n".getBytes(), ReloadedFile.read(file, (p, c) -> new Refused(p)));
    }

    @Test
    void aMissingFileIsReportedAsMissing() {
        Refused e = assertThrows(Refused.class, () -> ReloadedFile.read(dir.resolve("none"), (p, c) -> new Refused(p)));
        assertEquals(ReloadedFile.Problem.MISSING, e.problem);
    }

    @Test
    void aFileOneByteOverTheBoundIsRefusedAsTooLarge() throws Exception {
        Path file = dir.resolve("huge");
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(ReloadedFile.MAX_BYTES + 1L);  // sparse: costs no disk
        }
        Refused e = assertThrows(Refused.class, () -> ReloadedFile.read(file, (p, c) -> new Refused(p)));
        assertEquals(ReloadedFile.Problem.TOO_LARGE, e.problem);
    }

    @Test
    void aDirectoryIsUnreadableWithItsCause() {
        Refused e = assertThrows(Refused.class, () -> ReloadedFile.read(dir, (p, c) -> {
            assertEquals(p == ReloadedFile.Problem.UNREADABLE, c != null);
            return new Refused(p);
        }));
        assertEquals(ReloadedFile.Problem.UNREADABLE, e.problem);
    }
}
