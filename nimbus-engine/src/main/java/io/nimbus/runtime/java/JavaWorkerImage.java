package io.nimbus.runtime.java;

import io.nimbus.sandbox.WorkerLaunch;
import io.nimbus.sdk.Handler;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a java25 worker starts from, made once per data directory and JDK: the worker jar
 * (the SDK, runnable) and its AOT cache, which makes the JVM start with the worker's and the
 * JDK's classes already loaded and linked (docs/decisions/0013-java-runtime.md has the
 * measurements). Both live in one directory, which a sandbox mounts as the worker's
 * runtime directory. The cache records the jar's host path; the JVM accepts the jar at
 * another (/var/runtime in a sandbox) because only the common directory prefix differs
 * (JDK-8279366), and the jar's size and modification time are the same: it is never
 * rewritten while the stamp holds.
 *
 * <p>A stamp, the SHA-256 of the jar's bytes, the JDK's {@code release} file and the training
 * options, says whether the files on disk are still right; when it differs (a new SDK or JDK)
 * the image is made again, a training run of a few seconds.
 */
public final class JavaWorkerImage {
    public static final String WORKER_JAR = "nimbus-worker.jar";
    static final String AOT_CACHE = "nimbus-worker.aot";
    private static final String STAMP = "image.sha256";
    /** The size the cache is trained at; a cache serves every size (the heap and compiler flags may differ). */
    private static final List<String> TRAINING_OPTIONS = JvmOptions.forWorker(256, 0.5);

    private final Path java;
    private final Path directory;

    private JavaWorkerImage(Path java, Path directory) {
        this.java = java;
        this.directory = directory;
    }

    /**
     * The image in {@code directory}, made there first if it is missing or stale.
     *
     * @param javaHome the JDK that runs the workers (it compiles the functions too)
     * @param sdk      the SDK's classes: a jar or a classes directory ({@link #sdkOnClassPath()})
     */
    public static JavaWorkerImage prepare(Path javaHome, Path sdk, Path directory) throws IOException, InterruptedException {
        Path java = javaHome.resolve("bin/java");
        byte[] jar = WorkerJar.from(sdk);
        String stamp = stamp(jar, javaHome);
        JavaWorkerImage image = new JavaWorkerImage(java, directory);
        if (image.isCurrent(stamp)) {
            return image;
        }
        Files.createDirectories(directory);
        Files.deleteIfExists(directory.resolve(STAMP));
        replace(directory.resolve(WORKER_JAR), jar);
        Path workDir = Files.createTempDirectory(directory, "training-");
        try {
            Path cache = workDir.resolve(AOT_CACHE);
            List<String> options = new ArrayList<>(TRAINING_OPTIONS);
            options.add("-XX:AOTCacheOutput=" + cache);
            TrainingRun.run(java, options, image.workerJar(), cache, workDir);
            Files.move(cache, directory.resolve(AOT_CACHE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            deleteTree(workDir);
        }
        Files.writeString(directory.resolve(STAMP), stamp);
        return image;
    }

    /** Where this server's class path holds the SDK: its jar, or its classes directory in a build tree. */
    public static Path sdkOnClassPath() {
        try {
            return Path.of(Handler.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("the SDK's location is not a path", e);
        }
    }

    /** The interpreter of a worker. */
    public Path java() {
        return java;
    }

    /** The worker's bootstrap; also the jar a function compiles against. */
    public Path workerJar() {
        return directory.resolve(WORKER_JAR);
    }

    /**
     * The JVM options of a worker, to go between {@link #java()} and {@link #workerJar()} in a
     * {@link WorkerLaunch}: its flags ({@link JvmOptions}), the AOT cache beside the jar, and
     * {@code -jar}.
     */
    public List<String> workerOptions(int memoryMb, double cpus) {
        List<String> options = new ArrayList<>(JvmOptions.forWorker(memoryMb, cpus));
        options.add("-XX:AOTCache=" + WorkerLaunch.RUNTIME_DIR_VARIABLE + "/" + AOT_CACHE);
        options.add("-jar");
        return options;
    }

    private boolean isCurrent(String stamp) throws IOException {
        Path stampFile = directory.resolve(STAMP);
        return Files.isRegularFile(stampFile) && Files.readString(stampFile).equals(stamp)
                && Files.isRegularFile(workerJar()) && Files.isRegularFile(directory.resolve(AOT_CACHE));
    }

    private static String stamp(byte[] jar, Path javaHome) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(jar);
            digest.update(Files.readAllBytes(javaHome.resolve("release")));
            digest.update(String.join(" ", TRAINING_OPTIONS).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Writes a complete file under a temporary name, then renames it: a running worker keeps
     * the old one. Readable by all: the sandboxed worker runs as another user.
     */
    private static void replace(Path target, byte[] content) throws IOException {
        Path temporary = Files.createTempFile(target.getParent(), ".worker-", ".tmp");
        try {
            Files.write(temporary, content);
            Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
