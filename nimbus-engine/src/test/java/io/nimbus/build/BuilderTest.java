package io.nimbus.build;

import io.nimbus.sandbox.JobResult;
import io.nimbus.sandbox.JobRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The builder's own rules, with a stand-in for the compiler: no toolchain or sandbox needed. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BuilderTest {
    private static final Toolchain GO = new Toolchain("go", Set.of("golang"), "Go", "1.19.8", List.of());
    private static final Toolchain C_MISSING = new Toolchain("c-wasm", Set.of(), "C (clang)", "14.0.6",
            List.of("wasi-libc", "libclang-rt-14-dev-wasm32"));

    @TempDir
    Path dataDir;

    @Test
    void anUnavailableRuntimeFailsTheBuildNamingThePackagesToInstall() throws Exception {
        Builder builder = new Builder(dataDir, new Toolchains(List.of(GO, C_MISSING)), BuildSettings.defaults(), job -> {
            throw new AssertionError("no compiler may run");
        });

        BuildOutcome outcome = builder.build(request("c-wasm", Map.of("main.c", "int main(void) { return 0; }"))).join();

        assertThat(outcome).isEqualTo(new BuildOutcome.BuildFailed("runtime c-wasm is not available on this server: "
                + "install it with 'apt-get install -y wasi-libc libclang-rt-14-dev-wasm32'"));
    }

    @Test
    void anUnknownRuntimeFailsTheBuildListingTheKnownOnes() throws Exception {
        Builder builder = new Builder(dataDir, new Toolchains(List.of(GO, C_MISSING)), BuildSettings.defaults(), job -> {
            throw new AssertionError("no compiler may run");
        });

        BuildOutcome outcome = builder.build(request("cobol", Map.of("main.cob", ""))).join();

        assertThat(outcome).isInstanceOfSatisfying(BuildOutcome.BuildFailed.class, failed ->
                assertThat(failed.diagnostics()).isEqualTo("unknown compiled runtime 'cobol'; known: go, c-wasm"));
    }

    @Test
    void noMoreCompilersRunAtOnceThanTheConcurrencySetting() throws Exception {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        CountDownLatch allThreeEntered = new CountDownLatch(3);
        JobRunner compiler = job -> {
            mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
            allThreeEntered.countDown();
            try {
                // Bounded, the third never comes while these two wait, and they go on after a while;
                // unbounded, all three meet here.
                allThreeEntered.await(3, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            running.decrementAndGet();
            Files.write(job.stdout().file(), new byte[]{1});
            return new JobResult.Exited(0, new byte[0], false, "", false);
        };
        Builder builder = new Builder(dataDir, new Toolchains(List.of(GO)), BuildSettings.defaults().withConcurrency(2), compiler);

        List<CompletableFuture<BuildOutcome>> builds = IntStream.range(0, 3)
                .mapToObj(i -> builder.build(request("go", Map.of("main.go", "package main\n// " + i + "\nfunc Handle() {}\n"))))
                .toList();

        assertThat(builds.stream().map(CompletableFuture::join)).allSatisfy(outcome ->
                assertThat(outcome).isInstanceOf(BuildOutcome.Built.class));
        assertThat(mostAtOnce).hasValue(2);
    }

    @Test
    void aFailedBuildLeavesNothingInTheStore() throws Exception {
        Builder builder = new Builder(dataDir, new Toolchains(List.of(GO)), BuildSettings.defaults(),
                job -> new JobResult.Exited(1, new byte[0], false, "./main.go:3:1: syntax error", false));

        BuildOutcome outcome = builder.build(request("go", Map.of("main.go", "package main\nfunc Handle() {\n"))).join();

        assertThat(outcome).isEqualTo(new BuildOutcome.BuildFailed("./main.go:3:1: syntax error"));
        assertThat(dataDir.resolve("artifacts/go")).isEmptyDirectory();
    }

    @Test
    void aBuildKilledByItsMemoryLimitSaysSo() throws Exception {
        Builder builder = new Builder(dataDir, new Toolchains(List.of(GO)), BuildSettings.defaults(),
                job -> new JobResult.Exited(137, new byte[0], false, "signal: killed", true));

        BuildOutcome outcome = builder.build(request("go", Map.of("main.go", "package main\nfunc Handle() {}\n"))).join();

        assertThat(outcome).isInstanceOfSatisfying(BuildOutcome.BuildFailed.class, failed ->
                assertThat(failed.diagnostics()).startsWith("the build ran out of memory (1024 MB)"));
    }

    private BuildRequest request(String runtime, Map<String, String> files) {
        try {
            String hash = BuildFixture.hash(files);
            Path dir = Files.createDirectories(dataDir.resolve("code").resolve(hash));
            for (Map.Entry<String, String> file : files.entrySet()) {
                Files.writeString(dir.resolve(file.getKey()), file.getValue());
            }
            return new BuildRequest(runtime, dir, "Handle", hash);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
