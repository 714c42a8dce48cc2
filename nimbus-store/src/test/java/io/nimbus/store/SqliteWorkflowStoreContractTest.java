package io.nimbus.store;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The workflow store contract on the embedded store: a fresh data directory for every test. */
class SqliteWorkflowStoreContractTest extends WorkflowStoreContractTest {

    @TempDir
    Path dataDir;

    @Override
    protected StoreConfig config() {
        return StoreConfig.sqlite(dataDir);
    }
}
