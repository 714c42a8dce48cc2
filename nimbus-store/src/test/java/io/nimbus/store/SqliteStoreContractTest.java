package io.nimbus.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on the embedded store: a fresh data directory for every test. */
class SqliteStoreContractTest extends StoreContractTest {

    @TempDir
    Path dataDir;

    @Override
    protected StoreConfig config() {
        return StoreConfig.sqlite(dataDir);
    }

    @Test
    void theDatabaseIsOneFileInTheDataDirectory() {
        assertThat(dataDir.resolve(Database.SQLITE_FILE)).isRegularFile();
    }

    @Test
    void everyConnectionUsesWalForeignKeysAndABusyTimeout() throws SQLException {
        List<Connection> all = new ArrayList<>();
        try {
            for (int i = 0; i < config().maxPoolSize(); i++) {
                all.add(database.connection());
            }
            for (Connection connection : all) {
                assertThat(pragma(connection, "journal_mode")).isEqualTo("wal");
                assertThat(pragma(connection, "synchronous")).isEqualTo("1");
                assertThat(pragma(connection, "foreign_keys")).isEqualTo("1");
                assertThat(pragma(connection, "busy_timeout")).isEqualTo("10000");
            }
        } finally {
            for (Connection connection : all) {
                connection.close();
            }
        }
    }

    private static String pragma(Connection connection, String name) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("PRAGMA " + name)) {
            row.next();
            return row.getString(1);
        }
    }
}
