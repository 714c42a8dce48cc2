package io.nimbus.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.nimbus.domain.Function;
import io.nimbus.domain.FunctionStatus;
import io.nimbus.protocol.Frame;
import io.nimbus.protocol.FrameCodec;
import io.nimbus.protocol.FrameType;
import io.nimbus.sandbox.SandboxedWorker;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A runtime with a memory bound of its own (the JVM's heap) says so; the host treats it as the memory limit's kill. */
class InstanceOutOfMemoryTest {
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();

    @TempDir
    Path temp;

    @AfterEach
    void stopTimers() {
        timers.shutdownNow();
    }

    @Test
    void aWorkersOutOfMemoryAnswerIsAnOutOfMemoryResultAndRemovesTheInstance() throws Exception {
        ByteArrayOutputStream answers = new ByteArrayOutputStream();
        FrameCodec.write(answers, new Frame(FrameType.LOG, new byte[0], "allocating\n".getBytes(StandardCharsets.UTF_8)));
        FrameCodec.write(answers, new Frame(FrameType.RESP, ("{\"ok\":false,\"error\":{\"type\":\"OutOfMemory\","
                + "\"message\":\"the JVM ran out of memory: Java heap space\",\"stack\":\"\"}}").getBytes(StandardCharsets.UTF_8),
                new byte[0]));
        ScriptedWorker worker = new ScriptedWorker(new ByteArrayInputStream(answers.toByteArray()));
        Function function = new Function("fn-1", "hog", "", "java25", "Hog", 128, 30, 1, Map.of(), List.of(),
                FunctionStatus.ACTIVE, 1, "hash", Instant.EPOCH, Instant.EPOCH);
        Instance instance = new Instance("i-1", function, worker, Files.createFile(temp.resolve("i-1.out")), timers, () -> { });

        ExecResult result = instance.exec("r-1", "{}".getBytes(StandardCharsets.UTF_8), 5000);

        assertThat(result).isEqualTo(new ExecResult.OutOfMemory(128, "allocating\n"));
        assertThat(instance.state()).isEqualTo(InstanceState.REMOVED);
        assertThat(worker.killed).isTrue();
    }

    /** A worker whose answers are written in advance. */
    private static final class ScriptedWorker implements SandboxedWorker {
        private final InputStream answers;
        private final OutputStream requests = new ByteArrayOutputStream();
        private boolean killed;

        ScriptedWorker(InputStream answers) {
            this.answers = answers;
        }

        @Override
        public InputStream fromWorker() {
            return answers;
        }

        @Override
        public OutputStream toWorker() {
            return requests;
        }

        @Override
        public String codeDir() {
            return "/var/function";
        }

        @Override
        public boolean isAlive() {
            return !killed;
        }

        @Override
        public boolean oomKilled() {
            return false;
        }

        @Override
        public void kill() {
            killed = true;
        }
    }
}
