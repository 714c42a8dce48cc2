package io.nimbus.build;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Built artifacts, addressed by content: {@code <data-dir>/artifacts/<runtime>/<key>/}, where
 * the key is the code hash (plus the handler, for runtimes whose build depends on it). An
 * artifact is built in a {@code .staging-*} directory beside its final place and renamed into
 * it in one step, so a reader sees a whole artifact or none; a stored artifact never changes.
 */
final class ArtifactStore {
    private static final String STAGING_PREFIX = ".staging-";

    private final Path root;

    ArtifactStore(Path dataDir) {
        this.root = dataDir.resolve("artifacts");
    }

    /**
     * Removes what builds interrupted by a crash left behind. Only at start-up: at any other
     * time a staging directory may be a build under way.
     */
    void removeLeftoverStaging() throws IOException {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (Stream<Path> runtimes = Files.list(root)) {
            for (Path runtime : runtimes.filter(Files::isDirectory).toList()) {
                try (Stream<Path> entries = Files.list(runtime)) {
                    for (Path entry : entries.filter(e -> e.getFileName().toString().startsWith(STAGING_PREFIX)).toList()) {
                        deleteTree(entry);
                    }
                }
            }
        }
    }

    /** The stored artifact, if this key was built before. */
    Optional<Artifact> find(String runtime, String key) throws IOException {
        Path dir = root.resolve(runtime).resolve(key);
        return Files.isRegularFile(dir.resolve(Artifact.MANIFEST)) ? Optional.of(Artifact.read(dir)) : Optional.empty();
    }

    /** A fresh, empty directory to build into, on the same file system as the final place. */
    Path newStaging(String runtime) throws IOException {
        return Files.createDirectories(root.resolve(runtime).resolve(STAGING_PREFIX + UUID.randomUUID()));
    }

    /**
     * Renames the staged artifact (a directory inside a staging directory) into its place.
     * When another server sharing the data directory got there first, its artifact (built from
     * the same code) is kept and ours dropped.
     */
    Artifact publish(Artifact staged, String key) throws IOException {
        Path target = staged.dir().getParent().resolveSibling(key);
        try {
            Files.move(staged.dir(), target, StandardCopyOption.ATOMIC_MOVE);
            return staged.movedTo(target);
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
            deleteTree(staged.dir());
            return Artifact.read(target);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
