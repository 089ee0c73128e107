package dev.warden.engine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads a file an engine loads and reloads (its policy, its keyset) whole, but never more than
 * {@link #MAX_BYTES}: such a file is kilobytes, and a much larger one (a wrong path, a device) is not what
 * it should be and is not read into memory. Each caller says in its own words, and its own exception, why
 * its file cannot be used. Stateless, thread-safe.
 */
final class ReloadedFile {

    /** The most a policy or keyset file may hold. */
    static final int MAX_BYTES = 16 * 1024 * 1024;

    /** Why a file cannot be read whole. */
    enum Problem { MISSING, UNREADABLE, TOO_LARGE }

    /** Makes the caller's exception for a {@link Problem}; {@code cause} is set for {@link Problem#UNREADABLE}. */
    @FunctionalInterface
    interface Refusal<E extends Exception> {
        E of(Problem problem, IOException cause);
    }

    private ReloadedFile() {}

    /** The content of {@code file}, at most {@link #MAX_BYTES}; else the exception {@code refusal} makes. */
    static <E extends Exception> byte[] read(Path file, Refusal<E> refusal) throws E {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_BYTES + 1);  // one more than allowed tells a too large file
        } catch (NoSuchFileException e) {
            throw refusal.of(Problem.MISSING, null);
        } catch (IOException e) {
            throw refusal.of(Problem.UNREADABLE, e);
        }
        if (bytes.length > MAX_BYTES) {
            throw refusal.of(Problem.TOO_LARGE, null);
        }
        return bytes;
    }
}
