package io.nimbus.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * A real Nimbus server in the test's JVM: embedded SQLite in a temporary data directory
 * (unless the settings say otherwise), on a free port, with real workers.
 */
public final class RunningNimbus implements AutoCloseable {
    private final Nimbus nimbus;
    private final Path dataDir;
    private final ApiClient client;

    private RunningNimbus(Nimbus nimbus, Path dataDir) {
        this.nimbus = nimbus;
        this.dataDir = dataDir;
        this.client = new ApiClient(nimbus.port());
    }

    public static RunningNimbus start() {
        return start(Map.of());
    }

    public static RunningNimbus start(Map<Setting, String> settings) {
        try {
            Path dataDir = settings.containsKey(Setting.DATA_DIR)
                    ? Path.of(settings.get(Setting.DATA_DIR)) : Files.createTempDirectory("nimbus-test-");
            Map<Setting, String> flags = new EnumMap<>(Setting.class);
            flags.put(Setting.PORT, "0");
            flags.put(Setting.DATA_DIR, dataDir.toString());
            flags.putAll(settings);
            return new RunningNimbus(Nimbus.start(NimbusConfig.load(flags, null, Map.of())), dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public ApiClient client() {
        return client;
    }

    public Path dataDir() {
        return dataDir;
    }

    public int port() {
        return nimbus.port();
    }

    @Override
    public void close() {
        nimbus.close();
    }
}
