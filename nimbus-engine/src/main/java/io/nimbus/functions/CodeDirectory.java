package io.nimbus.functions;

import io.nimbus.domain.DomainException;
import io.nimbus.domain.Function;
import io.nimbus.domain.FunctionCode;
import io.nimbus.domain.FunctionStore;
import io.nimbus.pool.CodeLocator;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Function code on disk, one directory per code hash under {@code <data-dir>/code}. A
 * directory is written once, to a temporary name, and renamed into place, so a worker never
 * sees half a function; equal code shares one directory.
 */
public final class CodeDirectory implements CodeLocator {
    private static final Set<PosixFilePermission> READABLE_FILE = PosixFilePermissions.fromString("rw-r--r--");
    private static final Set<PosixFilePermission> READABLE_DIRECTORY = PosixFilePermissions.fromString("rwxr-xr-x");

    private final FunctionStore store;
    private final Path root;

    public CodeDirectory(FunctionStore store, Path dataDir) throws IOException {
        this.store = store;
        this.root = Files.createDirectories(dataDir.resolve("code"));
    }

    @Override
    public Path codeDir(Function function) throws IOException {
        Path target = root.resolve(function.codeHash());
        if (Files.isDirectory(target)) {
            return target;
        }
        FunctionCode code = store.findCode(function.id(), function.version())
                .orElseThrow(() -> DomainException.notFound("code of function", function.versionKey()));
        write(code, target);
        return target;
    }

    /**
     * Sandboxed workers run as an unprivileged user that must read the code but never write it:
     * directories 0755, files 0644, owned by the server.
     */
    private void write(FunctionCode code, Path target) throws IOException {
        Path staging = Files.createTempDirectory(root, ".staging-");
        try {
            for (Map.Entry<String, byte[]> file : code.files().entrySet()) {
                Path path = staging.resolve(file.getKey()).normalize();
                if (!path.startsWith(staging)) {
                    throw new IOException("refusing a path outside the function directory: " + file.getKey());
                }
                Files.createDirectories(path.getParent());
                Files.write(path, file.getValue());
                Files.setPosixFilePermissions(path, READABLE_FILE);
            }
            try (Stream<Path> dirs = Files.walk(staging)) {
                for (Path dir : dirs.filter(Files::isDirectory).toList()) {
                    Files.setPosixFilePermissions(dir, READABLE_DIRECTORY);
                }
            }
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
            deleteTree(staging);
        } catch (IOException e) {
            deleteTree(staging);
            if (!Files.isDirectory(target)) {
                throw e;
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
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
