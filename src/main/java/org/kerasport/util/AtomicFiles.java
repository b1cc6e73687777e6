package org.kerasport.util;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.kerasport.FileAccessException;

/**
 * Every file Kerasport writes goes through here: written to a temporary file beside the target, then renamed over it
 * in one step, so a failure leaves no partial file; an existing target is only replaced when the user said --force.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Writes the content produced by {@code writer} to a temporary file beside {@code target}. */
    @FunctionalInterface
    public interface Writer {
        void write(Path temp) throws IOException;
    }

    /** Refuses an existing output unless forced, and an output that is one of the inputs. */
    public static void checkTarget(Path target, boolean force, Path... inputs) {
        for (Path in : inputs)
            if (in != null && Files.exists(target) && sameFile(in, target))
                throw new FileAccessException(target + ": the output would overwrite an input" + (force ? "" : " (and --force was not given)"));
        if (Files.exists(target) && !force)
            throw new FileAccessException(target + ": exists; use --force to replace it");
        Path dir = target.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir))
            throw new FileAccessException(target + ": the directory " + dir + " does not exist");
    }

    public static void write(Path target, boolean force, Writer writer) {
        checkTarget(target, force);
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
            writer.write(tmp);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException e) {
            throw new FileAccessException(target + ": cannot write: " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the temp file has a dot name beside the target
                }
            }
        }
    }

    public static void writeBytes(Path target, boolean force, byte[] bytes) {
        write(target, force, tmp -> {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                out.write(bytes);
            }
        });
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }
}
