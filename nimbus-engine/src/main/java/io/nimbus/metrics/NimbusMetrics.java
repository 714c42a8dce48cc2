package io.nimbus.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The metrics of one server. Names are the seed's ({@code nimbus_invocations_total},
 * {@code nimbus_invocation_duration_ms}, ...); durations are milliseconds, as the names say,
 * kept as histograms so that percentiles can be computed across servers.
 *
 * <p>An invocation's observations are queued and applied to the registry by a thread of
 * their own, and before every scrape, so a scrape always includes every invocation that
 * finished before it. Off the request path because the first observation of a new function
 * registers its meters, a third of a millisecond that its cold start would otherwise pay.
 */
public final class NimbusMetrics implements AutoCloseable {
    /** How often queued observations are applied when nobody scrapes. */
    private static final long APPLY_EVERY_MS = 200;

    /** Bucket bounds in milliseconds, from a warm hello to a long invocation. */
    private static final double[] DURATION_BUCKETS_MS = {
            0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 900000};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Queue<Runnable> pending = new ConcurrentLinkedQueue<>();
    private final Thread applier = Thread.ofVirtual().name("metrics-applier").start(this::applyPeriodically);

    /**
     * One finished invocation: its status, how long it took, whether it started an instance.
     * The count also says which version served, so that a canary's share shows; the
     * histogram does not, to keep its series few.
     */
    public void invocation(String functionId, int version, String runtime, String status, double durationMs,
                           boolean coldStart, String errorType) {
        pending.add(() -> applyInvocation(functionId, version, runtime, status, durationMs, coldStart, errorType));
    }

    private void applyInvocation(String functionId, int version, String runtime, String status, double durationMs,
                                 boolean coldStart, String errorType) {
        Counter.builder("nimbus.invocations").tag("function_id", functionId).tag("runtime", runtime)
                .tag("status", status).tag("version", Integer.toString(version)).register(registry).increment();
        DistributionSummary.builder("nimbus.invocation.duration.ms").tag("function_id", functionId)
                .tag("runtime", runtime).tag("cold_start", Boolean.toString(coldStart))
                .serviceLevelObjectives(DURATION_BUCKETS_MS).register(registry).record(durationMs);
        if (errorType != null) {
            Counter.builder("nimbus.invocation.errors").tag("function_id", functionId).tag("error_type", errorType)
                    .register(registry).increment();
        }
        if (coldStart) {
            Counter.builder("nimbus.cold.starts").tag("runtime", runtime).register(registry).increment();
        }
    }

    /** A call refused with 429: counted, but it has no duration to record. */
    public void throttled(String functionId, int version, String runtime) {
        pending.add(() -> applyThrottled(functionId, version, runtime));
    }

    private void applyThrottled(String functionId, int version, String runtime) {
        Counter.builder("nimbus.invocations").tag("function_id", functionId).tag("runtime", runtime)
                .tag("status", "throttled").tag("version", Integer.toString(version)).register(registry).increment();
        Counter.builder("nimbus.invocation.errors").tag("function_id", functionId).tag("error_type", "TooManyRequests")
                .register(registry).increment();
    }

    /** One instance started: how long from nothing (or a stem cell) to a loaded function. */
    public void instanceBoot(String runtime, boolean fromStemCell, double durationMs) {
        pending.add(() -> applyInstanceBoot(runtime, fromStemCell, durationMs));
    }

    private void applyInstanceBoot(String runtime, boolean fromStemCell, double durationMs) {
        DistributionSummary.builder("nimbus.vm.boot.duration.ms").tag("runtime", runtime)
                .tag("from_snapshot", Boolean.toString(fromStemCell))
                .serviceLevelObjectives(DURATION_BUCKETS_MS).register(registry).record(durationMs);
    }

    /** Live instances ({@code pool_size}) and idle ones ({@code pool_warm}) of a runtime, read at each scrape. */
    public <T> void poolGauges(String runtime, T source, ToDoubleFunction<T> size, ToDoubleFunction<T> warm) {
        Gauge.builder("nimbus.vm.pool.size", source, size).tag("runtime", runtime).register(registry);
        Gauge.builder("nimbus.vm.pool.warm", source, warm).tag("runtime", runtime).register(registry);
    }

    /** The async queue's depth and the dispatcher's workers, read at each scrape. */
    public void schedulerGauges(Supplier<Number> queueSize, Supplier<Number> workers) {
        Gauge.builder("nimbus.scheduler.queue.size", queueSize).register(registry);
        Gauge.builder("nimbus.scheduler.workers", workers).register(registry);
    }

    /** Everything, in Prometheus text format. */
    public String scrape() {
        applyPending();
        return registry.scrape();
    }

    /**
     * Applies what is queued. Synchronized so that a scrape waits for observations the applier
     * has taken but not applied yet.
     */
    private synchronized void applyPending() {
        Runnable observation;
        while ((observation = pending.poll()) != null) {
            observation.run();
        }
    }

    private void applyPeriodically() {
        while (!Thread.currentThread().isInterrupted()) {
            applyPending();
            try {
                Thread.sleep(APPLY_EVERY_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Stops the applier, after applying what is queued. */
    @Override
    public void close() {
        applier.interrupt();
        applyPending();
    }
}
