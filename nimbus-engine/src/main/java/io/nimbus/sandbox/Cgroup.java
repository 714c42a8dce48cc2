package io.nimbus.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The control group of one instance: its memory, CPU and process limits, and the means to
 * kill every process in it at once. Version 2 where the unified hierarchy has the
 * controllers, otherwise the version 1 controllers (memory, pids, cpu, freezer).
 */
public sealed interface Cgroup permits CgroupV1, CgroupV2 {

    /** The files a process writes its pid to, to join this group (one per v1 controller). */
    List<Path> procsFiles();

    /** The host pids of the group's processes. */
    default List<Long> pids() {
        return Cgroup.read(procsFiles().getFirst()).lines().filter(line -> !line.isBlank())
                .map(line -> Long.parseLong(line.trim())).toList();
    }

    /** Moves a process (by host pid) into this group, with everything it starts from now on. */
    default void adopt(long hostPid) throws IOException {
        for (Path procs : procsFiles()) {
            Cgroup.write(procs, Long.toString(hostPid));
        }
    }

    /** Sets the CPU share, in cores. */
    void limitCpu(double cpus) throws IOException;

    /**
     * The CFS period: short, so that a throttled instance waits at most a few milliseconds
     * for its next slice instead of most of a 100 ms period.
     */
    long CPU_PERIOD_US = 20_000;

    /** The kernel's smallest quota. */
    long MIN_CPU_QUOTA_US = 1_000;

    static long quotaMicros(double cpus) {
        return Math.max(MIN_CPU_QUOTA_US, Math.round(cpus * CPU_PERIOD_US));
    }

    /** Whether the kernel's OOM killer killed a process of this group. */
    boolean oomKilled();

    /** Kills every process of the group, including ones forked while killing. */
    void killAll();

    /** Removes the group; its processes must be gone. */
    void delete();

    /**
     * Creates the group of an instance, with its limits written, under {@code scope}: a
     * relative path such as {@code nimbus/<server>} that belongs to one server alone.
     */
    static Cgroup create(String scope, String instanceId, SandboxLimits limits) throws IOException {
        return CgroupV2.available()
                ? CgroupV2.create(scope, instanceId, limits) : CgroupV1.create(scope, instanceId, limits);
    }

    /** Kills and removes the groups a previous life of this server left in its scope. */
    static void removeLeftovers(String scope) {
        if (CgroupV2.available()) {
            CgroupV2.removeLeftovers(scope);
        } else {
            CgroupV1.removeLeftovers(scope);
        }
    }

    /** Whether this host lets Nimbus make groups: cgroups mounted and writable (root, or delegated). */
    static boolean available() {
        return CgroupV2.available() || CgroupV1.available();
    }

    static void write(Path file, String value) throws IOException {
        Files.writeString(file, value);
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }

    /** The number after {@code key} in a flat-keyed file such as memory.events or memory.oom_control. */
    static long keyedValue(String content, String key) {
        for (String line : content.split("\n")) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length == 2 && parts[0].equals(key)) {
                return Long.parseLong(parts[1]);
            }
        }
        return 0;
    }
}
