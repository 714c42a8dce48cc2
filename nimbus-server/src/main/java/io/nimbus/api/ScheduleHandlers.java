package io.nimbus.api;

import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.nimbus.cron.Schedules;
import io.nimbus.domain.DomainException;
import io.nimbus.domain.Function;
import io.nimbus.domain.cron.Schedule;
import io.nimbus.functions.FunctionService;

import java.util.LinkedHashMap;
import java.util.Map;

/** /api/v1/functions/{ref}/schedule: a function's cron schedule. */
final class ScheduleHandlers {
    private static final long MAX_BODY = 16 * 1024;

    private final Schedules schedules;
    private final FunctionService functions;

    record ScheduleRequest(String cronExpression, String timezone, Boolean catchUp) {
    }

    ScheduleHandlers(Schedules schedules, FunctionService functions) {
        this.schedules = schedules;
        this.functions = functions;
    }

    void get(ServerRequest request, ServerResponse response) {
        Function function = functions.require(FunctionHandlers.ref(request));
        Schedule schedule = schedules.find(function)
                .orElseThrow(() -> DomainException.notFound("schedule of function", function.name()));
        Exchange.json(response, 200, view(schedule));
    }

    void put(ServerRequest request, ServerResponse response) {
        Function function = functions.require(FunctionHandlers.ref(request));
        ScheduleRequest body = Json.read(Exchange.body(request, MAX_BODY, "the schedule"), ScheduleRequest.class);
        Exchange.json(response, 200, view(schedules.put(function, body.cronExpression(), body.timezone(), body.catchUp())));
    }

    void delete(ServerRequest request, ServerResponse response) {
        Function function = functions.require(FunctionHandlers.ref(request));
        if (!schedules.delete(function)) {
            throw DomainException.notFound("schedule of function", function.name());
        }
        response.status(204).send();
    }

    private static Map<String, Object> view(Schedule schedule) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("function", schedule.functionName());
        view.put("cron_expression", schedule.expression().text());
        view.put("timezone", schedule.zone().getId());
        view.put("catch_up", schedule.catchUp());
        view.put("next_fire_at", schedule.nextFireAt().toString());
        view.put("created_at", schedule.createdAt().toString());
        return view;
    }
}
