package io.nimbus.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The part of a gVisor instance's control group that Nimbus creates itself, before runsc
 * starts, so that it outlives runsc and still says whether the OOM killer struck.
 *
 * <p>runsc creates the groups named by the bundle's {@code cgroupsPath}, applies the bundle's
 * limits to them and removes them when the container ends. A group that already exists it
 * treats as the caller's: it neither writes its limits nor removes it. When the memory limit
 * kills the sandbox, {@code runsc run} removes its groups before the host has even read the
 * end of the protocol pipe, and the {@code oom_kill} counter would go with them. So the
 * memory group is made here, with the limits written here, and removed by the instance's
 * kill:
 * <ul>
 * <li>version 1: only the memory controller's group; runsc makes the cpu, pids and other
 *     controllers' groups from the bundle and removes them itself;</li>
 * <li>version 2: there is a single group for every controller, so this class makes it and
 *     writes all the limits (memory, no swap, pids, CPU quota).</li>
 * </ul>
 * Everything lives under {@code /nimbus-gvisor/<server>}, never under the namespace backend's
 * {@code /nimbus}.
 */
final class GvisorCgroup {
    private static final Path ROOT = Path.of("/sys/fs/cgroup");
    /** Version 1 controllers runsc needs writable: the ones it creates groups in when the bundle has limits. */
    private static final List<String> V1_CONTROLLERS = List.of("memory", "cpu", "pids");

    private final Path dir;
    private final boolean unified;

    private GvisorCgroup(Path dir, boolean unified) {
        this.dir = dir;
        this.unified = unified;
    }

    static boolean available() {
        if (CgroupV2.available()) {
            return true;
        }
        return V1_CONTROLLERS.stream().allMatch(c -> Files.isWritable(ROOT.resolve(c)));
    }

    /** The bundle's {@code cgroupsPath} for an instance: absolute, so runsc uses it as is under every controller. */
    static String cgroupsPath(String scope, String instanceId) {
        return "/" + scope + "/" + instanceId;
    }

    /**
     * Creates the instance's group with its memory limit (and, on version 2, every limit).
     *
     * @param sandboxPids the host task limit for the whole sandbox (runsc's own processes and threads included)
     */
    static GvisorCgroup create(String scope, String instanceId, SandboxLimits limits, int sandboxPids)
            throws IOException {
        long bytes = limits.memoryMb() * 1024L * 1024L;
        if (CgroupV2.available()) {
            Path parent = ROOT.resolve(scope);
            Files.createDirectories(parent);
            CgroupV2.enableControllers(parent);
            GvisorCgroup group = new GvisorCgroup(Files.createDirectories(parent.resolve(instanceId)), true);
            try {
                Cgroup.write(group.dir.resolve("memory.max"), Long.toString(bytes));
                Cgroup.write(group.dir.resolve("memory.swap.max"), "0");
                Cgroup.write(group.dir.resolve("pids.max"), Integer.toString(sandboxPids));
                Cgroup.write(group.dir.resolve("cpu.weight"), Integer.toString(limits.cpuWeight()));
                long bootQuota = Cgroup.quotaMicros(Math.max(limits.cpus(), GvisorSandbox.BOOT_CPUS));
                Cgroup.write(group.dir.resolve("cpu.max"), bootQuota + " " + Cgroup.CPU_PERIOD_US);
            } catch (IOException | RuntimeException e) {
                group.delete();
                throw e;
            }
            return group;
        }
        GvisorCgroup group = new GvisorCgroup(
                Files.createDirectories(ROOT.resolve("memory").resolve(scope).resolve(instanceId)), false);
        try {
            Cgroup.write(group.dir.resolve("memory.limit_in_bytes"), Long.toString(bytes));
            if (Files.exists(group.dir.resolve("memory.memsw.limit_in_bytes"))) {
                Cgroup.write(group.dir.resolve("memory.memsw.limit_in_bytes"), Long.toString(bytes));
            }
            Cgroup.write(group.dir.resolve("memory.swappiness"), "0");
        } catch (IOException | RuntimeException e) {
            group.delete();
            throw e;
        }
        return group;
    }

    /**
     * Sets the CPU quota of the running sandbox. On version 1 the cpu group is the one runsc
     * made from the bundle, at the same path as the memory group made here.
     */
    void limitCpu(double cpus) throws IOException {
        long quotaUs = Cgroup.quotaMicros(cpus);
        if (unified) {
            Cgroup.write(dir.resolve("cpu.max"), quotaUs + " " + Cgroup.CPU_PERIOD_US);
        } else {
            Path cpu = ROOT.resolve("cpu").resolve(ROOT.resolve("memory").relativize(dir));
            Cgroup.write(cpu.resolve("cpu.cfs_quota_us"), Long.toString(quotaUs));
        }
    }

    /** Whether the kernel's OOM killer killed a process of the sandbox (its sentry, usually). */
    boolean oomKilled() {
        return unified
                ? Cgroup.keyedValue(Cgroup.read(dir.resolve("memory.events")), "oom_kill") > 0
                : Cgroup.keyedValue(Cgroup.read(dir.resolve("memory.oom_control")), "oom_kill") > 0;
    }

    /** Kills whatever is still in the group: a backstop, for runsc's kill and delete normally leave nothing. */
    void killAll() {
        killAll(dir, unified);
    }

    /** Removes the group; retried briefly, as a group stays busy until its last process is reaped. */
    void delete() {
        remove(dir);
    }

    /**
     * Kills and removes what a previous life of this server left in its scope: the groups of
     * every controller (runsc's own ones too, which a killed runsc could not remove).
     */
    static void removeLeftovers(String scope) {
        if (CgroupV2.available()) {
            for (Path leaf : children(ROOT.resolve(scope))) {
                killAll(leaf, true);
                remove(leaf);
            }
            return;
        }
        for (Path controller : children(ROOT)) {
            for (Path leaf : children(controller.resolve(scope))) {
                killAll(leaf, false);
                remove(leaf);
            }
        }
    }

    private static List<Path> children(Path dir) {
        try (var entries = Files.list(dir)) {
            return entries.filter(Files::isDirectory).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static void killAll(Path dir, boolean unified) {
        if (unified) {
            try {
                Cgroup.write(dir.resolve("cgroup.kill"), "1");
            } catch (IOException e) {
                pids(dir).forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            }
        } else {
            for (int round = 0; round < 5 && !pids(dir).isEmpty(); round++) {
                pids(dir).forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
                sleepUntilEmpty(dir, 200);
            }
        }
        sleepUntilEmpty(dir, 1000);
    }

    private static void sleepUntilEmpty(Path dir, int millis) {
        for (int i = 0; i < millis && !pids(dir).isEmpty(); i++) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static List<Long> pids(Path dir) {
        List<Long> pids = new ArrayList<>();
        for (String line : Cgroup.read(dir.resolve("cgroup.procs")).split("\n")) {
            if (!line.isBlank()) {
                pids.add(Long.parseLong(line.trim()));
            }
        }
        return pids;
    }

    private static void remove(Path dir) {
        for (int attempt = 0; attempt < 50; attempt++) {
            try {
                Files.deleteIfExists(dir);
                return;
            } catch (IOException busy) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        // still busy: the next start-up's sweep removes it
    }
}
