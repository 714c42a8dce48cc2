package io.nimbus.server;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;

/**
 * The server as a JVM of its own, for the tests that kill it with SIGKILL and restart it on the
 * same data directory. Its output goes to {@code <data-dir>-server.log} beside the data directory.
 */
final class ServerProcess {

    private ServerProcess() {
    }

    static Process start(Path dataDir, int port, Map<String, String> environment) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "io.nimbus.server.Main", "up", "--port", Integer.toString(port), "--data-dir", dataDir.toString())
                .redirectErrorStream(true)
                .redirectOutput(dataDir.resolveSibling(dataDir.getFileName() + "-server.log").toFile());
        builder.environment().putAll(environment);
        return builder.start();
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
