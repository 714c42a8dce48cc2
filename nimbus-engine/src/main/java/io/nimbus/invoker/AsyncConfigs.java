package io.nimbus.invoker;

import io.nimbus.domain.DomainException;
import io.nimbus.domain.Function;
import io.nimbus.domain.async.AsyncConfig;
import io.nimbus.domain.async.AsyncConfigStore;
import io.nimbus.domain.async.Destination;
import io.nimbus.events.Topics;
import io.nimbus.functions.FunctionService;

import java.time.Clock;

/** Reading and changing a function's async settings, with its destinations checked. */
public final class AsyncConfigs {
    private final AsyncConfigStore store;
    private final FunctionService functions;
    private final Clock clock;

    /** A destination as a client names it: a function by name or id, or a topic. */
    public record DestinationRequest(String type, String function, String topic) {
    }

    public AsyncConfigs(AsyncConfigStore store, FunctionService functions, Clock clock) {
        this.store = store;
        this.functions = functions;
        this.clock = clock;
    }

    public AsyncConfig get(Function function) {
        return store.find(function.id()).orElse(AsyncConfig.DEFAULT);
    }

    /** Replaces the settings; absent numbers take the defaults, absent destinations are none. */
    public AsyncConfig put(Function function, Integer maxRetries, Integer maxEventAgeSec, DestinationRequest onSuccess,
                           DestinationRequest onFailure) {
        AsyncConfig config = new AsyncConfig(
                maxRetries == null ? AsyncConfig.DEFAULT.maxRetries() : maxRetries,
                maxEventAgeSec == null ? AsyncConfig.DEFAULT.maxEventAgeSec() : maxEventAgeSec,
                destination(function, onSuccess, "on_success"), destination(function, onFailure, "on_failure"));
        store.save(function.id(), config, clock.instant());
        return config;
    }

    public void reset(Function function) {
        store.delete(function.id());
    }

    /**
     * A function may not be its own destination: a failure record that fails again would
     * feed itself for ever. Longer cycles (a to b to a) are the user's to avoid.
     */
    private Destination destination(Function owner, DestinationRequest request, String field) {
        if (request == null) {
            return null;
        }
        if ("function".equals(request.type())) {
            if (request.topic() != null || request.function() == null || request.function().isBlank()) {
                throw DomainException.invalid(field + ".function", "a function destination names a function, and only that");
            }
            Function target = functions.find(request.function()).orElseThrow(() -> DomainException.invalid(
                    field + ".function", "function " + request.function() + " does not exist"));
            if (target.id().equals(owner.id())) {
                throw DomainException.invalid(field + ".function", "a function cannot be its own destination");
            }
            return new Destination.ToFunction(target.id(), target.name());
        }
        if ("topic".equals(request.type())) {
            if (request.function() != null) {
                throw DomainException.invalid(field + ".topic", "a topic destination names a topic, and only that");
            }
            return new Destination.ToTopic(Topics.require(request.topic(), field + ".topic"));
        }
        throw DomainException.invalid(field + ".type", "type must be 'function' or 'topic'");
    }
}
