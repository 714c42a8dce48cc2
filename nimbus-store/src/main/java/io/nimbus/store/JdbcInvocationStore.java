package io.nimbus.store;

import io.nimbus.domain.Invocation;
import io.nimbus.domain.InvocationQuery;
import io.nimbus.domain.InvocationStore;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.Optional;

/** Invocation records in the invocations table, written in batches off the invocation path. */
public final class JdbcInvocationStore implements InvocationStore {
    private static final String SELECT = "SELECT " + InvocationRows.COLUMNS + " FROM invocations";

    private final Database database;

    public JdbcInvocationStore(Database database) {
        this.database = database;
    }

    @Override
    public void saveAll(List<Invocation> invocations) {
        if (invocations.isEmpty()) {
            return;
        }
        InvocationRows.saveDroppingDeletedFunctions(database, "save " + invocations.size() + " invocations",
                connection -> {
                    InvocationRows.upsert(connection, invocations);
                    return null;
                });
    }

    @Override
    public Optional<Invocation> findById(String id) {
        return database.withConnection("find invocation " + id, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(SELECT + " WHERE id = ?")) {
                statement.setString(1, id);
                return InvocationRows.readAll(statement).stream().findFirst();
            }
        });
    }

    @Override
    public List<Invocation> list(InvocationQuery query) {
        Filters filters = new Filters()
                .where("function_id = ?", query.functionId())
                .where("status = ?", query.status() == null ? null : query.status().wireName());
        String sql = SELECT + filters.sql() + " ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?";
        return database.withConnection("list invocations", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                int next = filters.bind(statement);
                statement.setInt(next, query.limit());
                statement.setInt(next + 1, query.offset());
                return InvocationRows.readAll(statement);
            }
        });
    }
}
