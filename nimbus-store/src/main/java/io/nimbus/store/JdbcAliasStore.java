package io.nimbus.store;

import io.nimbus.domain.Alias;
import io.nimbus.domain.AliasStore;
import io.nimbus.domain.DomainException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Aliases in function_aliases. Their foreign keys to function_versions make an alias to a
 * version that is gone (never published, or deleted by retention meanwhile) fail here.
 */
public final class JdbcAliasStore implements AliasStore {
    private static final String COLUMNS = "function_id, name, version, additional_version, weight, created_at, updated_at";

    private final Database database;

    public JdbcAliasStore(Database database) {
        this.database = database;
    }

    @Override
    public void create(Alias alias) {
        String sql = "INSERT INTO function_aliases (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?)";
        database.withConnection("create alias " + alias.name(), connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setString(1, alias.functionId());
                statement.setString(2, alias.name());
                bindTargets(statement, 3, alias);
                EpochMillis.bind(statement, 6, alias.createdAt());
                EpochMillis.bind(statement, 7, alias.updatedAt());
                return statement.executeUpdate();
            } catch (SQLException e) {
                if (SqlErrors.isUniqueViolation(e)) {
                    throw DomainException.conflict("name", "the function already has an alias named '" + alias.name() + "'");
                }
                throw refusedIfVersionGone(connection, e, alias);
            }
        });
    }

    @Override
    public void replace(Alias alias) {
        String sql = "UPDATE function_aliases SET version = ?, additional_version = ?, weight = ?, updated_at = ?"
                + " WHERE function_id = ? AND name = ?";
        database.withConnection("replace alias " + alias.name(), connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                bindTargets(statement, 1, alias);
                EpochMillis.bind(statement, 4, alias.updatedAt());
                statement.setString(5, alias.functionId());
                statement.setString(6, alias.name());
                if (statement.executeUpdate() == 0) {
                    throw DomainException.notFound("alias", alias.name());
                }
                return null;
            } catch (SQLException e) {
                throw refusedIfVersionGone(connection, e, alias);
            }
        });
    }

    @Override
    public Optional<Alias> find(String functionId, String name) {
        String sql = "SELECT " + COLUMNS + " FROM function_aliases WHERE function_id = ? AND name = ?";
        return database.withConnection("find alias " + name, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setString(1, functionId);
                statement.setString(2, name);
                return readAll(statement).stream().findFirst();
            }
        });
    }

    @Override
    public List<Alias> list(String functionId) {
        String sql = "SELECT " + COLUMNS + " FROM function_aliases WHERE function_id = ? ORDER BY name";
        return database.withConnection("list aliases of function " + functionId, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setString(1, functionId);
                return readAll(statement);
            }
        });
    }

    @Override
    public boolean delete(String functionId, String name) {
        String sql = "DELETE FROM function_aliases WHERE function_id = ? AND name = ?";
        return database.withConnection("delete alias " + name, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setString(1, functionId);
                statement.setString(2, name);
                return statement.executeUpdate() > 0;
            }
        });
    }

    private static void bindTargets(PreparedStatement statement, int first, Alias alias) throws SQLException {
        statement.setInt(first, alias.version());
        if (alias.additionalVersion() == null) {
            statement.setNull(first + 1, Types.INTEGER);
        } else {
            statement.setInt(first + 1, alias.additionalVersion());
        }
        statement.setDouble(first + 2, alias.weight());
    }

    /** A foreign-key failure means one of the alias's versions is gone: the caller named the wrong one. */
    private static SQLException refusedIfVersionGone(Connection connection, SQLException e, Alias alias) {
        if (!SqlErrors.isForeignKeyViolation(e)) {
            return e;
        }
        boolean mainGone = alias.additionalVersion() == null || !versionExists(connection, alias, alias.version());
        String field = mainGone ? "version" : "additional_version";
        int version = mainGone ? alias.version() : alias.additionalVersion();
        throw DomainException.invalid(field, "the function has no version " + version);
    }

    private static boolean versionExists(Connection connection, Alias alias, int version) {
        String sql = "SELECT 1 FROM function_versions WHERE function_id = ? AND version = ?";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, alias.functionId());
            statement.setInt(2, version);
            try (ResultSet row = statement.executeQuery()) {
                return row.next();
            }
        } catch (SQLException e) {
            return false;
        }
    }

    private static List<Alias> readAll(PreparedStatement statement) throws SQLException {
        List<Alias> aliases = new ArrayList<>();
        try (ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                int additional = rows.getInt("additional_version");
                Integer additionalVersion = rows.wasNull() ? null : additional;
                aliases.add(new Alias(rows.getString("function_id"), rows.getString("name"), rows.getInt("version"),
                        additionalVersion, rows.getDouble("weight"), EpochMillis.read(rows, "created_at"),
                        EpochMillis.read(rows, "updated_at")));
            }
        }
        return aliases;
    }
}
