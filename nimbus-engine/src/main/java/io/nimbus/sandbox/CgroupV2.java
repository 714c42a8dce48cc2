package io.nimbus.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** An instance's group in the unified (version 2) hierarchy. */
final class CgroupV2 implements Cgroup {
    private static final Path ROOT = Path.of("/sys/fs/cgroup");

    private final Path dir;

    private CgroupV2(Path dir) {
        this.dir = dir;
    }

    /** The unified hierarchy is at the root and offers memory, pids and cpu. */
    static boolean available() {
        String controllers = Cgroup.read(ROOT.resolve("cgroup.controllers"));
        return controllers.contains("memory") && controllers.contains("pids") && controllers.contains("cpu")
                && Files.isWritable(ROOT.resolve("cgroup.subtree_control"));
    }

    static CgroupV2 create(String scope, String instanceId, SandboxLimits limits) throws IOException {
        Path parent = Files.createDirectories(ROOT.resolve(scope));
        enableControllers(parent);
        CgroupV2 group = new CgroupV2(Files.createDirectories(parent.resolve(instanceId)));
        try {
            Cgroup.write(group.dir.resolve("memory.max"), Long.toString(limits.memoryMb() * 1024L * 1024L));
            Cgroup.write(group.dir.resolve("memory.swap.max"), "0");
            Cgroup.write(group.dir.resolve("pids.max"), Integer.toString(limits.pids()));
            Cgroup.write(group.dir.resolve("cpu.weight"), Integer.toString(limits.cpuWeight()));
            group.limitCpu(limits.cpus());
        } catch (IOException | RuntimeException e) {
            group.delete();
            throw e;
        }
        return group;
    }

    /** Every group from the root down to {@code parent} must hand the controllers to its children. */
    static void enableControllers(Path parent) throws IOException {
        Path dir = ROOT;
        Cgroup.write(dir.resolve("cgroup.subtree_control"), "+memory +pids +cpu");
        for (Path part : ROOT.relativize(parent)) {
            dir = dir.resolve(part);
            Cgroup.write(dir.resolve("cgroup.subtree_control"), "+memory +pids +cpu");
        }
    }

    static void removeLeftovers(String scope) {
        try (var instances = Files.list(ROOT.resolve(scope))) {
            for (Path instance : instances.filter(Files::isDirectory).toList()) {
                CgroupV2 group = new CgroupV2(instance);
                group.killAll();
                group.delete();
            }
        } catch (IOException e) {
            // no scope yet: nothing left over
        }
    }

    @Override
    public void limitCpu(double cpus) throws IOException {
        long quota = Cgroup.quotaMicros(cpus);
        Path burst = dir.resolve("cpu.max.burst");
        if (Files.exists(burst)) {
            Cgroup.write(burst, "0");
        }
        Cgroup.write(dir.resolve("cpu.max"), quota + " " + Cgroup.CPU_PERIOD_US);
        if (Files.exists(burst)) {
            Cgroup.write(burst, Long.toString(quota));
        }
    }

    @Override
    public List<Path> procsFiles() {
        return List.of(dir.resolve("cgroup.procs"));
    }

    @Override
    public boolean oomKilled() {
        return Cgroup.keyedValue(Cgroup.read(dir.resolve("memory.events")), "oom_kill") > 0;
    }

    @Override
    public void killAll() {
        try {
            Cgroup.write(dir.resolve("cgroup.kill"), "1");
        } catch (IOException e) {
            Cgroup.read(dir.resolve("cgroup.procs")).lines().filter(l -> !l.isBlank())
                    .forEach(pid -> ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly));
        }
        for (int i = 0; i < 200 && !Cgroup.read(dir.resolve("cgroup.procs")).isBlank(); i++) {
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
        try {
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // busy until its last process is reaped; start-up removes leftovers
        }
    }
}
