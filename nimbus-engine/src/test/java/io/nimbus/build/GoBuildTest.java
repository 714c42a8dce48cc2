package io.nimbus.build;

import io.nimbus.protocol.FrameType;
import io.nimbus.runtime.PlainProgram;
import io.nimbus.sandbox.SandboxJob;
import io.nimbus.sandbox.SandboxLimits;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Go functions built in the build sandbox, then run: as a warm worker over the protocol, or once per invocation. */
// Guards against a build or worker that never ends; not a time assertion.
@Timeout(value = 600, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class GoBuildTest {
    private static final String HANDLER = """
            package main

            import (
            	"context"
            	"errors"
            	"fmt"
            	"log"
            	"os"
            )

            type Event struct {
            	Name string `json:"name"`
            	Fail string `json:"fail"`
            }

            type QuotaExceeded struct{ Limit int }

            func (e *QuotaExceeded) Error() string { return fmt.Sprintf("over %d", e.Limit) }

            var calls int

            func Handle(ctx context.Context, event Event) (map[string]any, error) {
            	calls++
            	switch event.Fail {
            	case "plain":
            		return nil, errors.New("boom")
            	case "typed":
            		return nil, &QuotaExceeded{Limit: 3}
            	case "panic":
            		panic("lost my way")
            	}
            	info, _ := NimbusFromContext(ctx)
            	_, hasDeadline := ctx.Deadline()
            	log.Printf("greeting %s", event.Name)
            	fmt.Println("to the stray output")
            	return map[string]any{"hello": event.Name, "calls": calls, "request": info.RequestID,
            		"function": info.FunctionName, "env": os.Getenv("GREETING"), "deadline": hasDeadline}, nil
            }
            """;

    @TempDir
    Path dataDir;

    private BuildFixture fixture;
    private Toolchain go;

    @BeforeEach
    void setUp() throws Exception {
        go = BuildFixture.requireToolchain(Toolchains.GO);
        fixture = new BuildFixture(dataDir, BuildSettings.defaults());
    }

    @Test
    void aGoHandlerBuildsIntoAWarmWorkerThatSpeaksTheProtocol() throws Exception {
        Artifact artifact = fixture.built(fixture.function("go", "Handle", Map.of("main.go", HANDLER)));

        assertThat(artifact.mode()).isEqualTo(Artifact.Mode.WORKER);
        assertThat(artifact.entryFile()).isExecutable();
        assertThat(Artifact.read(artifact.dir())).isEqualTo(artifact);
        Path stray = Files.createFile(dataDir.resolve("stray.out"));
        try (ProtocolDriver worker = ProtocolDriver.start(artifact.entryFile(), dataDir, stray)) {
            assertThat(worker.ping()).isEqualTo(FrameType.PING);
            ProtocolDriver.Reply init = worker.init("Handle", dataDir.toString());
            assertThat(init.ok()).as(init.toString()).isTrue();
            assertThat(init.header().path("runtime_version").asText()).isEqualTo(go.version());

            ProtocolDriver.Reply first = worker.exec("{\"name\":\"Ada\"}");
            ProtocolDriver.Reply second = worker.exec("{\"name\":\"Linus\"}");

            assertThat(first.ok()).as(first.toString()).isTrue();
            assertThat(first.payload()).isEqualTo("{\"calls\":1,\"deadline\":true,\"env\":\"grüezi\",\"function\":\"hello\","
                    + "\"hello\":\"Ada\",\"request\":\"req-1\"}");
            assertThat(first.logs()).containsExactly("greeting Ada\n");
            assertThat(second.payload()).contains("\"calls\":2", "\"request\":\"req-2\"");
            assertThat(worker.ping()).isEqualTo(FrameType.PING);
            assertThat(worker.stop()).isZero();
        }
        assertThat(Files.readString(stray)).contains("to the stray output");
    }

    @Test
    void handlerErrorsAndPanicsFailOnlyTheirRequest() throws Exception {
        Artifact artifact = fixture.built(fixture.function("go", "main.Handle", Map.of("main.go", HANDLER)));

        try (ProtocolDriver worker = ProtocolDriver.start(artifact.entryFile(), dataDir, Files.createFile(dataDir.resolve("out")))) {
            assertThat(worker.init("main.Handle", dataDir.toString()).ok()).isTrue();

            ProtocolDriver.Reply plain = worker.exec("{\"fail\":\"plain\"}");
            ProtocolDriver.Reply typed = worker.exec("{\"fail\":\"typed\"}");
            ProtocolDriver.Reply panicked = worker.exec("{\"fail\":\"panic\"}");
            ProtocolDriver.Reply misfit = worker.exec("{\"name\":42}");
            ProtocolDriver.Reply garbage = worker.exec("{not json");

            assertThat(plain.errorType()).isEqualTo("errorString");
            assertThat(plain.errorMessage()).isEqualTo("boom");
            assertThat(typed.errorType()).isEqualTo("QuotaExceeded");
            assertThat(typed.errorMessage()).isEqualTo("over 3");
            assertThat(panicked.errorType()).isEqualTo("Panic");
            assertThat(panicked.errorMessage()).isEqualTo("lost my way");
            assertThat(panicked.header().path("error").path("stack").asText()).contains("main.go");
            assertThat(misfit.errorType()).isEqualTo("InvalidEvent");
            assertThat(garbage.errorType()).isEqualTo("InvalidEvent");
            assertThat(worker.exec("{\"name\":\"still here\"}").ok()).isTrue();
            assertThat(worker.closeChannelAndWait()).isZero();
        }
    }

    @Test
    void aHandlerOfAnUnsupportedShapeFailsInitAndExecAnswersNotInitialized() throws Exception {
        Artifact artifact = fixture.built(fixture.function("go", "Handle", Map.of("main.go", """
                package main

                func Handle(a, b string) string { return a + b }
                """)));

        try (ProtocolDriver worker = ProtocolDriver.start(artifact.entryFile(), dataDir, Files.createFile(dataDir.resolve("out")))) {
            ProtocolDriver.Reply init = worker.init("Handle", dataDir.toString());

            assertThat(init.ok()).isFalse();
            assertThat(init.errorType()).isEqualTo("InvalidHandler");
            assertThat(init.errorMessage()).contains("context.Context");
            assertThat(worker.exec("{}").errorType()).isEqualTo("NotInitialized");
        }
    }

    @Test
    void aCompileErrorFailsTheBuildWithTheCompilersFileAndLine() throws Exception {
        BuildOutcome outcome = fixture.build(fixture.function("go", "Handle", Map.of("main.go", """
                package main

                func Handle() (int, error) {
                	return undefinedThing, nil
                }
                """)));

        assertThat(outcome).isInstanceOfSatisfying(BuildOutcome.BuildFailed.class, failed ->
                assertThat(failed.diagnostics()).contains("main.go:4:9: undefined: undefinedThing"));
        assertThat(dataDir.resolve("artifacts/go")).isEmptyDirectory();
    }

    @Test
    void aHandlerNameThatIsNotInTheCodeFailsTheBuild() throws Exception {
        BuildOutcome outcome = fixture.build(fixture.function("go", "Missing", Map.of("main.go", HANDLER)));

        assertThat(outcome).isInstanceOfSatisfying(BuildOutcome.BuildFailed.class, failed ->
                assertThat(failed.diagnostics()).contains("undefined: Missing"));
    }

    @Test
    void aHandlerThatIsNotAGoNameIsRefusedBeforeCompiling() throws Exception {
        BuildOutcome outcome = fixture.build(fixture.function("go", "handle-it", Map.of("main.go", HANDLER)));

        assertThat(outcome).isInstanceOfSatisfying(BuildOutcome.BuildFailed.class, failed ->
                assertThat(failed.diagnostics()).contains("'handle-it' is not a Go function name"));
        assertThat(fixture.compilerRuns).isEmpty();
    }

    @Test
    void aProgramWithItsOwnMainIsBuiltForPlainModeAndRunOncePerInvocation() throws Exception {
        Artifact artifact = fixture.built(fixture.function("go", "Handle", Map.of("main.go", """
                package main

                import (
                	"encoding/json"
                	"fmt"
                	"os"
                )

                func main() {
                	var event map[string]any
                	if err := json.NewDecoder(os.Stdin).Decode(&event); err != nil {
                		fmt.Fprintln(os.Stderr, "bad event:", err)
                		os.Exit(3)
                	}
                	fmt.Fprintln(os.Stderr, "greeting", event["name"])
                	json.NewEncoder(os.Stdout).Encode(map[string]any{"hello": event["name"], "uid": os.Getuid()})
                }
                """)));
        assertThat(artifact.mode()).isEqualTo(Artifact.Mode.PLAIN);
        PlainProgram program = new PlainProgram(fixture.jobs);
        SandboxLimits limits = new SandboxLimits(128, 0.5, 32, 16, SandboxLimits.Network.NONE);

        PlainProgram.Outcome ok = program.invoke(artifact, "{\"name\":\"Ada\"}".getBytes(StandardCharsets.UTF_8),
                Map.of(), limits, Duration.ofSeconds(30));
        PlainProgram.Outcome bad = program.invoke(artifact, "nope".getBytes(StandardCharsets.UTF_8),
                Map.of(), limits, Duration.ofSeconds(30));

        assertThat(ok).isInstanceOfSatisfying(PlainProgram.Outcome.Success.class, success -> {
            assertThat(new String(success.result(), StandardCharsets.UTF_8)).isEqualTo("{\"hello\":\"Ada\",\"uid\":65534}");
            assertThat(success.logs()).isEqualTo("greeting Ada\n");
        });
        assertThat(bad).isInstanceOfSatisfying(PlainProgram.Outcome.Failed.class, failed -> {
            assertThat(failed.errorType()).isEqualTo("RuntimeExit");
            assertThat(failed.logs()).contains("bad event");
        });
    }

    @Test
    void identicalCodeIsCompiledOnce() throws Exception {
        BuildRequest request = fixture.function("go", "Handle", Map.of("main.go", HANDLER));

        Artifact first = fixture.built(request);
        BuildOutcome second = fixture.build(request);

        assertThat(second).isInstanceOfSatisfying(BuildOutcome.Built.class, built -> {
            assertThat(built.artifact()).isEqualTo(first);
            assertThat(built.log()).contains("reused");
        });
        assertThat(fixture.compilerRuns).hasSize(1);
    }

    @Test
    void concurrentBuildsOfTheSameCodeCompileOnce() throws Exception {
        BuildRequest request = fixture.function("go", "Handle", Map.of("main.go", HANDLER));

        List<CompletableFuture<BuildOutcome>> builds = IntStream.range(0, 4)
                .mapToObj(i -> fixture.builder.build(request)).toList();

        List<BuildOutcome> outcomes = builds.stream().map(CompletableFuture::join).toList();
        assertThat(outcomes).allSatisfy(outcome -> assertThat(outcome).isInstanceOf(BuildOutcome.Built.class));
        assertThat(outcomes.stream().map(o -> ((BuildOutcome.Built) o).artifact().dir()).distinct()).hasSize(1);
        assertThat(fixture.compilerRuns).hasSize(1);
        try (var leftovers = Files.list(dataDir.resolve("artifacts/go"))) {
            assertThat(leftovers.map(p -> p.getFileName().toString())).containsExactly(request.codeHash() + "-Handle");
        }
    }

    @Test
    void aBuildSeesItsSourceReadOnlyAndNoNetwork() throws Exception {
        fixture.built(fixture.function("go", "Handle", Map.of("main.go", HANDLER)));

        SandboxJob compile = fixture.compilerRuns.getFirst();
        assertThat(compile.limits().network()).isEqualTo(SandboxLimits.Network.NONE);
        assertThat(compile.mounts()).singleElement().satisfies(mount -> assertThat(mount.inside()).isEqualTo("/src"));
        assertThat(compile.environment()).containsEntry("GOPROXY", "off").containsEntry("CGO_ENABLED", "0");
    }
}
