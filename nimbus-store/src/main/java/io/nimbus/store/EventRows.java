package io.nimbus.store;

import io.nimbus.domain.Invocation;
import io.nimbus.domain.events.Event;
import io.nimbus.domain.events.Publication;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/** Writing a published event and queueing its deliveries. */
final class EventRows {

    private EventRows() {
    }

    static void insert(Connection connection, Publication publication) throws SQLException {
        Event event = publication.event();
        try (PreparedStatement statement = connection.prepareStatement(
                "INSERT INTO events (id, topic, body, deliveries, published_at) VALUES (?, ?, ?, ?, ?)")) {
            statement.setString(1, event.id());
            statement.setString(2, event.topic());
            statement.setString(3, event.body());
            statement.setInt(4, publication.deliveries().size());
            EpochMillis.bind(statement, 5, event.publishedAt());
            statement.executeUpdate();
        }
        for (Invocation delivery : publication.deliveries()) {
            Aftermaths.enqueueIfFunctionExists(connection, delivery);
        }
    }
}
