package io.nimbus.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An instance's groups in the version 1 hierarchies: memory (limit, no swap, OOM count),
 * pids, cpu (CFS quota) and freezer (to kill without a fork race).
 */
final class CgroupV1 implements Cgroup {
    private static final Path ROOT = Path.of("/sys/fs/cgroup");
    private static final List<String> CONTROLLERS = List.of("memory", "pids", "cpu", "freezer");

    private final List<Path> dirs;

    private CgroupV1(List<Path> dirs) {
        this.dirs = dirs;
    }

    static boolean available() {
        return CONTROLLERS.stream().allMatch(c -> Files.isWritable(ROOT.resolve(c)));
    }

    static CgroupV1 create(String scope, String instanceId, SandboxLimits limits) throws IOException {
        List<Path> dirs = new ArrayList<>();
        for (String controller : CONTROLLERS) {
            dirs.add(Files.createDirectories(ROOT.resolve(controller).resolve(scope).resolve(instanceId)));
        }
        CgroupV1 group = new CgroupV1(dirs);
        try {
            group.limit(limits);
        } catch (IOException | RuntimeException e) {
            group.delete();
            throw e;
        }
        return group;
    }

    private void limit(SandboxLimits limits) throws IOException {
        long bytes = limits.memoryMb() * 1024L * 1024L;
        Path memory = dir("memory");
        Cgroup.write(memory.resolve("memory.limit_in_bytes"), Long.toString(bytes));
        if (Files.exists(memory.resolve("memory.memsw.limit_in_bytes"))) {
            Cgroup.write(memory.resolve("memory.memsw.limit_in_bytes"), Long.toString(bytes));
        }
        Cgroup.write(memory.resolve("memory.swappiness"), "0");
        Cgroup.write(dir("pids").resolve("pids.max"), Integer.toString(limits.pids()));
        Cgroup.write(dir("cpu").resolve("cpu.cfs_period_us"), Long.toString(Cgroup.CPU_PERIOD_US));
        Cgroup.write(dir("cpu").resolve("cpu.shares"), Integer.toString(limits.cpuShares()));
        limitCpu(limits.cpus());
    }

    @Override
    public void limitCpu(double cpus) throws IOException {
        Path cpu = dir("cpu");
        long quota = Cgroup.quotaMicros(cpus);
        Path burst = cpu.resolve("cpu.cfs_burst_us");
        if (Files.exists(burst)) {
            // lower the burst first: the kernel refuses a burst above the quota
            Cgroup.write(burst, "0");
        }
        Cgroup.write(cpu.resolve("cpu.cfs_quota_us"), Long.toString(quota));
        if (Files.exists(burst)) {
            // unused quota carries over, up to one more period's worth: a request that
            // arrives after a quiet spell is not throttled for its first milliseconds
            Cgroup.write(burst, Long.toString(quota));
        }
    }

    @Override
    public List<Path> procsFiles() {
        return dirs.stream().map(d -> d.resolve("cgroup.procs")).toList();
    }

    @Override
    public boolean oomKilled() {
        return Cgroup.keyedValue(Cgroup.read(dir("memory").resolve("memory.oom_control")), "oom_kill") > 0;
    }

    /** Freeze, kill each process, thaw: a frozen process cannot fork, so none escapes. */
    @Override
    public void killAll() {
        Path freezer = dir("freezer").resolve("freezer.state");
        try {
            Cgroup.write(freezer, "FROZEN");
        } catch (IOException ignored) {
            // killing below still works, only without the guarantee against a concurrent fork
        }
        for (int round = 0; round < 10; round++) {
            List<Long> pids = pids();
            if (pids.isEmpty()) {
                break;
            }
            pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            try {
                Cgroup.write(freezer, "THAWED");
            } catch (IOException ignored) {
                // a killed process in a frozen group dies once thawed; nothing else to do
            }
            waitUntilEmpty();
        }
    }

    private void waitUntilEmpty() {
        for (int i = 0; i < 200 && !pids().isEmpty(); i++) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void delete() {
        for (Path dir : dirs) {
            try {
                Files.deleteIfExists(dir);
            } catch (IOException ignored) {
                // busy until its last process is reaped; start-up removes leftovers
            }
        }
    }

    private Path dir(String controller) {
        return dirs.get(CONTROLLERS.indexOf(controller));
    }

    static void removeLeftovers(String scope) {
        try (var instances = Files.list(ROOT.resolve("pids").resolve(scope))) {
            for (Path instance : instances.filter(Files::isDirectory).toList()) {
                String id = instance.getFileName().toString();
                CgroupV1 group = new CgroupV1(CONTROLLERS.stream()
                        .map(c -> ROOT.resolve(c).resolve(scope).resolve(id)).toList());
                group.killAll();
                group.delete();
            }
        } catch (IOException e) {
            // no scope yet: nothing left over
        }
    }
}
