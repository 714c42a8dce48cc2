package io.nimbus.pool;

import io.nimbus.domain.Function;
import io.nimbus.domain.Limits;
import io.nimbus.domain.SandboxSpec;

/**
 * What a stem cell is ready for: a runtime, a sandbox backend and a memory size, with the
 * default /tmp, CPU share and network. A function whose instances would be started exactly
 * so can take one; any other starts from nothing.
 */
public record CellKind(String runtime, String backend, int memoryMb) {

    /** The kind of cell that can become an instance of {@code function}, or null when none can. */
    static CellKind of(Function function, String backend) {
        SandboxSpec sandbox = function.sandbox();
        boolean defaultConfinement = sandbox.cpus() == null
                && sandbox.ephemeralStorageMb() == Limits.DEFAULT_EPHEMERAL_STORAGE_MB
                && SandboxSpec.NETWORK_NONE.equals(sandbox.network());
        return defaultConfinement ? new CellKind(function.runtime(), backend, function.memoryMb()) : null;
    }

    @Override
    public String toString() {
        return runtime + "/" + backend + "/" + memoryMb + "MB";
    }
}
