package io.nimbus.pool;

import io.nimbus.domain.Function;

import java.io.IOException;
import java.nio.file.Path;

/** Where a function version's files are on disk, written there first if needed. */
public interface CodeLocator {
    Path codeDir(Function function) throws IOException;
}
