package io.nimbus.sandbox;

import io.nimbus.domain.DomainException;
import io.nimbus.domain.Function;
import io.nimbus.domain.SandboxSpec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sandbox backends of this server: the ones that can run here, why the others cannot,
 * and which one a function without an {@code isolation} of its own gets.
 */
public final class SandboxBackends {
    private final Map<String, SandboxBackend> available;
    private final Map<String, String> unavailable;
    private final String defaultName;
    private final int pidsLimit;

    /**
     * @param unavailable backend name to the reason it cannot run here (with the fix, when there is one)
     * @param pidsLimit   the most processes and threads an instance may have
     */
    public SandboxBackends(List<SandboxBackend> available, Map<String, String> unavailable, String defaultName,
                           int pidsLimit) {
        this.available = new LinkedHashMap<>();
        available.forEach(backend -> this.available.put(backend.name(), backend));
        this.unavailable = Map.copyOf(unavailable);
        this.defaultName = defaultName;
        this.pidsLimit = pidsLimit;
        if (!this.available.containsKey(defaultName)) {
            throw new IllegalArgumentException("the default sandbox backend '" + defaultName + "' cannot run here: "
                    + unavailable.getOrDefault(defaultName, "unknown backend"));
        }
    }

    public String defaultName() {
        return defaultName;
    }

    public SandboxBackend defaultBackend() {
        return available.get(defaultName);
    }

    /** Backend name to null (available) or the reason it is not, for /health. */
    public Map<String, String> status() {
        Map<String, String> status = new LinkedHashMap<>();
        available.keySet().forEach(name -> status.put(name, null));
        status.putAll(unavailable);
        return status;
    }

    /** Refuses an {@code isolation} this server cannot provide, naming the field and the fix. */
    public void require(String isolation) {
        if (isolation != null && !available.containsKey(isolation)) {
            throw new DomainException(DomainException.Kind.INVALID, "IsolationUnavailable",
                    "isolation '" + isolation + "' is not available on this server: "
                            + unavailable.getOrDefault(isolation, "unknown backend"), "isolation");
        }
    }

    public SandboxBackend byName(String name) {
        require(name);
        return available.get(name);
    }

    public int pidsLimit() {
        return pidsLimit;
    }

    public SandboxBackend forFunction(Function function) {
        String name = function.sandbox().isolation() == null ? defaultName : function.sandbox().isolation();
        require(name);
        return available.get(name);
    }

    /** The limits an instance of the function runs under. */
    public SandboxLimits limitsFor(Function function) {
        SandboxSpec spec = function.sandbox();
        double cpus = spec.cpus() != null ? spec.cpus() : SandboxLimits.cpusForMemory(function.memoryMb());
        SandboxLimits.Network network = SandboxSpec.NETWORK_HOST.equals(spec.network())
                ? SandboxLimits.Network.HOST : SandboxLimits.Network.NONE;
        return new SandboxLimits(function.memoryMb(), cpus, pidsLimit, spec.ephemeralStorageMb(), network);
    }
}
