package io.nimbus.store;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The eventing store contract on the embedded store: a fresh data directory for every test. */
class SqliteEventingStoreContractTest extends EventingStoreContractTest {

    @TempDir
    Path dataDir;

    @Override
    protected StoreConfig config() {
        return StoreConfig.sqlite(dataDir);
    }
}
