package io.nimbus.domain;

import java.util.List;
import java.util.Map;

/**
 * A validated function request with every default applied: what a new version is made of.
 * {@code code} is null on an update that keeps the current code.
 */
public record FunctionDefinition(
        String name,
        String description,
        String runtime,
        String handler,
        FunctionCode code,
        int memoryMb,
        int timeoutSec,
        int maxInstances,
        Map<String, String> envVars,
        List<String> tags,
        SandboxSpec sandbox,
        PoolSpec pool,
        HttpRoute httpRoute) {
}
