package io.nimbus.invoker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nimbus.domain.Function;
import io.nimbus.domain.Ids;
import io.nimbus.domain.Invocation;
import io.nimbus.domain.TriggerType;
import io.nimbus.domain.async.Aftermath;
import io.nimbus.domain.async.AsyncConfig;
import io.nimbus.domain.async.DeadLetter;
import io.nimbus.domain.async.Destination;
import io.nimbus.events.EventBus;
import io.nimbus.functions.FunctionService;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Turns a finished async invocation into its aftermath: the destination record (in Lambda's
 * shape) sent to the success or failure destination, or a dead letter when a failure has no
 * destination.
 */
public final class Destinations {
    static final String SUCCESS = "Success";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final FunctionService functions;
    private final EventBus bus;
    private final Clock clock;

    public Destinations(FunctionService functions, EventBus bus, Clock clock) {
        this.functions = functions;
        this.bus = bus;
        this.clock = clock;
    }

    Aftermath onSuccess(Invocation finished, AsyncConfig config, int attempts) {
        return send(config.onSuccess(), record(finished, SUCCESS, attempts));
    }

    /** @param condition why it gave up: {@link DeadLetter#RETRIES_EXHAUSTED} or {@link DeadLetter#EVENT_AGE_EXCEEDED} */
    Aftermath onFailure(Invocation finished, AsyncConfig config, int attempts, String condition) {
        if (config.onFailure() != null) {
            return send(config.onFailure(), record(finished, condition, attempts));
        }
        DeadLetter letter = new DeadLetter(Ids.timeOrdered(), finished.functionId(), finished.id(), finished.input(),
                condition, finished.error(), attempts, now(), null, null);
        return new Aftermath(List.of(), List.of(), letter);
    }

    private Aftermath send(Destination destination, String record) {
        return switch (destination) {
            case null -> Aftermath.NONE;
            case Destination.ToFunction target -> functions.find(target.functionId())
                    .map(function -> new Aftermath(List.of(invocationOf(function, record)), List.of(), null))
                    .orElse(Aftermath.NONE);
            case Destination.ToTopic topic -> new Aftermath(List.of(), List.of(bus.publication(topic.topic(), record)), null);
        };
    }

    private Invocation invocationOf(Function function, String record) {
        return Invocation.pending(Ids.timeOrdered(), function, TriggerType.ASYNC, record, now());
    }

    /** Lambda's destination record, with the function's name and version where Lambda has an ARN. */
    private String record(Invocation finished, String condition, int attempts) {
        ObjectNode record = JSON.createObjectNode();
        record.put("version", "1.0");
        record.put("timestamp", now().toString());
        ObjectNode context = record.putObject("requestContext");
        context.put("requestId", finished.id());
        context.put("functionArn", "nimbus:function:" + finished.functionName() + ":" + finished.functionVersion());
        context.put("condition", condition);
        context.put("approximateInvokeCount", attempts);
        record.set("requestPayload", tree(finished.input()));
        ObjectNode response = record.putObject("responseContext");
        response.put("statusCode", 200);
        response.put("executedVersion", Integer.toString(finished.functionVersion()));
        if (finished.error() != null) {
            response.put("functionError", finished.error().code());
            ObjectNode error = record.putObject("responsePayload");
            error.put("errorMessage", finished.error().message());
            error.put("errorType", finished.error().type() == null ? finished.error().code() : finished.error().type());
        } else {
            record.set("responsePayload", tree(finished.output()));
        }
        return record.toString();
    }

    private static JsonNode tree(String json) {
        if (json == null) {
            return JSON.nullNode();
        }
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            return JSON.getNodeFactory().textNode(json);
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
