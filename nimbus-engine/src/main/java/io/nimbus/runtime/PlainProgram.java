package io.nimbus.runtime;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nimbus.build.Artifact;
import io.nimbus.sandbox.JobResult;
import io.nimbus.sandbox.JobRunner;
import io.nimbus.sandbox.SandboxJob;
import io.nimbus.sandbox.SandboxLimits;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Runs a plain-mode artifact (a Go program with its own {@code main}): one process per
 * invocation, in the namespace sandbox, with the event on its standard input and its result,
 * JSON, on its standard output. What it writes to stderr is the invocation's log. No warm
 * instance: each invocation pays the program's start, which a compiled program keeps short.
 */
public final class PlainProgram {
    /** The response limit of every runtime. */
    public static final long MAX_RESULT_BYTES = 6L * 1024 * 1024;
    private static final String CODE_DIR = "/var/function";
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final JobRunner jobs;

    public PlainProgram(JobRunner jobs) {
        this.jobs = jobs;
    }

    /** How one run ended. */
    public sealed interface Outcome {
        /** What the program wrote to stderr. */
        String logs();

        record Success(byte[] result, String logs) implements Outcome {
        }

        /** {@code errorType}: RuntimeExit, OutOfMemory, ResponseTooLarge or InvalidResult. */
        record Failed(String errorType, String message, String logs) implements Outcome {
        }

        record TimedOut(String logs) implements Outcome {
        }
    }

    /**
     * @param environment the function's variables; PATH, LANG and HOME are added
     */
    public Outcome invoke(Artifact artifact, byte[] event, Map<String, String> environment, SandboxLimits limits,
                          Duration timeout) throws IOException {
        if (artifact.mode() != Artifact.Mode.PLAIN) {
            throw new IllegalArgumentException("not a plain-mode artifact: " + artifact.mode());
        }
        Map<String, String> env = new HashMap<>(environment);
        env.putAll(Map.of("PATH", "/usr/bin:/bin", "LANG", "C.UTF-8", "HOME", "/tmp"));
        SandboxJob job = new SandboxJob("plain-" + UUID.randomUUID(), List.of(CODE_DIR + "/" + artifact.entry()), env,
                List.of(new SandboxJob.Mount(artifact.dir(), CODE_DIR)), CODE_DIR, limits, timeout, event,
                SandboxJob.Output.inMemory(MAX_RESULT_BYTES));
        return switch (jobs.run(job)) {
            case JobResult.TimedOut timedOut -> new Outcome.TimedOut(timedOut.stderr());
            case JobResult.Exited exited -> outcome(exited);
        };
    }

    private static Outcome outcome(JobResult.Exited exited) {
        if (exited.outOfMemory()) {
            return new Outcome.Failed("OutOfMemory", "the program ran out of memory", exited.stderr());
        }
        if (exited.status() != 0) {
            return new Outcome.Failed("RuntimeExit", "the program exited with status " + exited.status(), exited.stderr());
        }
        if (exited.stdoutIncomplete()) {
            return new Outcome.Failed("ResponseTooLarge",
                    "the program wrote more than the " + MAX_RESULT_BYTES + "-byte limit of a response", exited.stderr());
        }
        byte[] result = exited.stdout();
        try {
            JsonNode value = JSON.readTree(result);
            if (value == null || value.isMissingNode()) {
                return new Outcome.Failed("InvalidResult", "the program printed nothing; it must print its result as JSON",
                        exited.stderr());
            }
        } catch (IOException e) {
            return new Outcome.Failed("InvalidResult", "the program's output is not one JSON value: " + e.getMessage(),
                    exited.stderr());
        }
        return new Outcome.Success(new String(result, StandardCharsets.UTF_8).strip().getBytes(StandardCharsets.UTF_8),
                exited.stderr());
    }
}
