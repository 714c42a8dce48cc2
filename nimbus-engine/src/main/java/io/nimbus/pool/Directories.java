package io.nimbus.pool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

/** The few file-tree operations instances need: fill a cell's code directory, remove a tree. */
final class Directories {
    private Directories() {
    }

    /**
     * Makes {@code target} hold the files of {@code source}: hard links where the file system
     * allows (same disk, no copying), copies otherwise. Directories are 0755 so that the
     * sandbox's unprivileged user can read them.
     */
    static void linkTree(Path source, Path target) throws IOException {
        try (Stream<Path> paths = Files.walk(source)) {
            for (Path path : paths.toList()) {
                Path destination = target.resolve(source.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(destination);
                    Files.setPosixFilePermissions(destination, PosixFilePermissions.fromString("rwxr-xr-x"));
                } else {
                    linkOrCopy(path, destination);
                }
            }
        }
    }

    private static void linkOrCopy(Path file, Path destination) throws IOException {
        try {
            Files.createLink(destination, file);
        } catch (IOException | UnsupportedOperationException e) {
            Files.copy(file, destination, StandardCopyOption.COPY_ATTRIBUTES);
        }
    }

    static void deleteQuietly(Path path) {
        if (path == null || !Files.exists(path)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(path)) {
            for (Path each : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(each);
            }
        } catch (IOException ignored) {
            // leftovers under the data directory are cleared at the next start
        }
    }
}
