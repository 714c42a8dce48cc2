package io.nimbus.domain;

import java.util.List;
import java.util.Map;

/**
 * What a client asks for when it creates or updates a function, before validation. Every
 * field may be null: on create, null means the default; on update, null means unchanged.
 *
 * @param code  inline source of the handler's module
 * @param files relative path to base64 content, for multi-file functions
 * @param isolation the sandbox backend, or null for the server's default
 * @param httpPath  where to serve it over plain HTTP; on update, empty removes the route
 */
public record FunctionRequest(
        String name,
        String description,
        String runtime,
        String handler,
        String code,
        Map<String, String> files,
        Integer memoryMb,
        Integer timeoutSec,
        Integer maxInstances,
        Map<String, String> envVars,
        List<String> tags,
        String isolation,
        String network,
        Integer ephemeralStorageMb,
        Double cpus,
        Integer minInstances,
        Integer queueTimeoutMs,
        Integer idleTtlSec,
        Integer maxAgeSec,
        Integer maxInvocations,
        String httpPath,
        List<String> httpMethods) {

    /** This request with its route removed: what an explicit null {@code http_path} asks for. */
    public FunctionRequest withoutHttpRoute() {
        return new FunctionRequest(name, description, runtime, handler, code, files, memoryMb, timeoutSec,
                maxInstances, envVars, tags, isolation, network, ephemeralStorageMb, cpus, minInstances,
                queueTimeoutMs, idleTtlSec, maxAgeSec, maxInvocations, "", httpMethods);
    }

    public FunctionRequest withHandler(String newHandler) {
        return new FunctionRequest(name, description, runtime, newHandler, code, files, memoryMb, timeoutSec,
                maxInstances, envVars, tags, isolation, network, ephemeralStorageMb, cpus, minInstances,
                queueTimeoutMs, idleTtlSec, maxAgeSec, maxInvocations, httpPath, httpMethods);
    }
}
