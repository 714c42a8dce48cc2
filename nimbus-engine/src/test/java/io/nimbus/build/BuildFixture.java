package io.nimbus.build;

import io.nimbus.sandbox.JobRunner;
import io.nimbus.sandbox.NamespaceJobs;
import io.nimbus.sandbox.SandboxJob;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A builder on a fresh data directory whose compiler runs are counted, and helpers to write a function's files. */
final class BuildFixture {
    private static Toolchains toolchains;

    final Path dataDir;
    final List<SandboxJob> compilerRuns = new CopyOnWriteArrayList<>();
    final Builder builder;
    final NamespaceJobs jobs;

    BuildFixture(Path dataDir, BuildSettings settings) throws IOException {
        assumeTrue(NamespaceJobs.unavailableReason() == null, "the namespace sandbox cannot run here");
        this.dataDir = dataDir;
        this.jobs = NamespaceJobs.create(dataDir);
        JobRunner counting = job -> {
            compilerRuns.add(job);
            return jobs.run(job);
        };
        this.builder = new Builder(dataDir, toolchains(), settings, counting);
    }

    static synchronized Toolchains toolchains() {
        if (toolchains == null) {
            toolchains = Toolchains.detect();
        }
        return toolchains;
    }

    static Toolchain requireToolchain(String id) {
        Toolchain toolchain = toolchains().find(id).orElseThrow();
        assumeTrue(toolchain.available(), toolchain.id() + " is not installed: " + toolchain.missingPackages());
        return toolchain;
    }

    /** Writes the files into a code directory named after their hash, and returns the request to build them. */
    BuildRequest function(String runtime, String handler, Map<String, String> files) throws IOException {
        String hash = hash(files);
        Path dir = Files.createDirectories(dataDir.resolve("code").resolve(hash));
        for (Map.Entry<String, String> file : files.entrySet()) {
            Path path = dir.resolve(file.getKey());
            Files.createDirectories(path.getParent());
            Files.writeString(path, file.getValue());
        }
        return new BuildRequest(runtime, dir, handler, hash);
    }

    static String hash(Map<String, String> files) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            new TreeMap<>(files).forEach((name, content) -> {
                digest.update(name.getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
                digest.update(content.getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
            });
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    BuildOutcome build(BuildRequest request) {
        return builder.build(request).join();
    }

    Artifact built(BuildRequest request) {
        BuildOutcome outcome = build(request);
        if (!(outcome instanceof BuildOutcome.Built built)) {
            throw new AssertionError("expected the build to succeed: " + outcome);
        }
        return built.artifact();
    }
}
