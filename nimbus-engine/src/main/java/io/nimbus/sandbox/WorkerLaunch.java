package io.nimbus.sandbox;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What to start: the worker's command, its code directory (the working directory, read-only
 * for the function), the environment it starts with, and the file its stdout and stderr
 * append to (see the pool's StrayOutput).
 */
public record WorkerLaunch(List<String> command, Path codeDir, Map<String, String> environment, int memoryMb,
                           Path strayOutputFile) {
}
