package io.nimbus.api;

import io.helidon.webserver.http.HttpRouting;
import io.nimbus.functions.FunctionService;

/**
 * The routes of reliable async, the event bus and cron, registered by {@link ApiRoutes}
 * with the others.
 */
final class EventingRoutes {
    private final AsyncConfigHandlers asyncConfigs;
    private final DeadLetterHandlers deadLetters;
    private final EventHandlers events;
    private final ScheduleHandlers schedules;

    EventingRoutes(EventingParts parts, FunctionService functions) {
        this.asyncConfigs = new AsyncConfigHandlers(parts.asyncConfigs(), functions);
        this.deadLetters = new DeadLetterHandlers(parts.deadLetters(), functions);
        this.events = new EventHandlers(parts.bus());
        this.schedules = new ScheduleHandlers(parts.schedules(), functions);
    }

    void register(HttpRouting.Builder routing) {
        routing
                .get("/api/v1/functions/{ref}/async-config", asyncConfigs::get)
                .put("/api/v1/functions/{ref}/async-config", asyncConfigs::put)
                .delete("/api/v1/functions/{ref}/async-config", asyncConfigs::delete)
                .get("/api/v1/functions/{ref}/dead-letters", deadLetters::list)
                .post("/api/v1/functions/{ref}/dead-letters/redrive", deadLetters::redriveAll)
                .post("/api/v1/functions/{ref}/dead-letters/{id}/redrive", deadLetters::redrive)
                .get("/api/v1/functions/{ref}/schedule", schedules::get)
                .put("/api/v1/functions/{ref}/schedule", schedules::put)
                .delete("/api/v1/functions/{ref}/schedule", schedules::delete)
                .post("/api/v1/events/{topic}", events::publish)
                .get("/api/v1/events/{topic}", events::recent)
                .post("/api/v1/rules", events::createRule)
                .get("/api/v1/rules", events::listRules)
                .get("/api/v1/rules/{name}", events::getRule)
                .delete("/api/v1/rules/{name}", events::deleteRule);
    }
}
