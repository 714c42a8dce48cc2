package io.nimbus.domain;

/**
 * How a function's instances are confined.
 *
 * @param isolation          the sandbox backend ({@code namespace}, {@code gvisor}, {@code process}), or null
 *                           for the server's default
 * @param network            {@code none} (only loopback, in a namespace of its own) or {@code host}
 * @param ephemeralStorageMb size of the private /tmp
 * @param cpus               CPU share in cores, or null for the share that goes with memory_mb
 */
public record SandboxSpec(String isolation, String network, int ephemeralStorageMb, Double cpus) {
    public static final String NETWORK_NONE = "none";
    public static final String NETWORK_HOST = "host";
    public static final SandboxSpec DEFAULT = new SandboxSpec(null, NETWORK_NONE, Limits.DEFAULT_EPHEMERAL_STORAGE_MB, null);
}
