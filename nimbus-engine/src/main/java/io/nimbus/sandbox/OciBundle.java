package io.nimbus.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The OCI runtime configuration ({@code config.json}) of one gVisor worker. The root is the
 * shared, read-only skeleton; everything the worker sees besides it is a mount listed here.
 */
final class OciBundle {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final List<String> READ_ONLY_BIND = List.of("rbind", "ro", "nosuid", "nodev");

    /** What one worker's configuration is made of, in host terms where a path is a host path. */
    record Spec(List<String> args, Map<String, String> environment, String cwd, int uid, Path rootfs,
                List<Bind> binds, int tmpMb, boolean hostNetwork, long memoryBytes, long cpuQuotaUs,
                long cpuPeriodUs, int sandboxPids, int processes, String cgroupsPath) {
    }

    /** A read-only bind mount of a host file or directory. */
    record Bind(Path source, String destination) {
    }

    private OciBundle() {
    }

    static void write(Path bundleDir, Spec spec) throws IOException {
        Files.writeString(bundleDir.resolve("config.json"), JSON.writeValueAsString(config(spec)));
    }

    static ObjectNode config(Spec spec) {
        ObjectNode config = JSON.createObjectNode().put("ociVersion", "1.0.2");
        config.set("process", process(spec));
        config.putObject("root").put("path", spec.rootfs().toString()).put("readonly", true);
        config.put("hostname", "nimbus");
        config.set("mounts", mounts(spec));
        config.set("linux", linux(spec));
        return config;
    }

    private static ObjectNode process(Spec spec) {
        ObjectNode process = JSON.createObjectNode().put("terminal", false);
        process.putObject("user").put("uid", spec.uid()).put("gid", spec.uid());
        ArrayNode args = process.putArray("args");
        spec.args().forEach(args::add);
        ArrayNode env = process.putArray("env");
        new TreeMap<>(spec.environment()).forEach((name, value) -> env.add(name + "=" + value));
        process.put("cwd", spec.cwd());
        ObjectNode capabilities = process.putObject("capabilities");
        for (String set : List.of("bounding", "effective", "inheritable", "permitted", "ambient")) {
            capabilities.putArray(set);
        }
        ArrayNode rlimits = process.putArray("rlimits");
        // gVisor counts RLIMIT_NPROC per user inside the sandbox: the worker's own processes
        // and threads, which the host pids limit cannot single out (see GvisorSandbox).
        rlimits.addObject().put("type", "RLIMIT_NPROC").put("hard", spec.processes()).put("soft", spec.processes());
        rlimits.addObject().put("type", "RLIMIT_NOFILE").put("hard", 4096).put("soft", 1024);
        process.put("noNewPrivileges", true);
        return process;
    }

    private static ArrayNode mounts(Spec spec) {
        ArrayNode mounts = JSON.createArrayNode();
        mounts.addObject().put("destination", "/proc").put("type", "proc").put("source", "proc");
        ObjectNode dev = mounts.addObject().put("destination", "/dev").put("type", "tmpfs").put("source", "tmpfs");
        dev.putArray("options").add("nosuid").add("strictatime").add("mode=755").add("size=65536k");
        ObjectNode tmp = mounts.addObject().put("destination", "/tmp").put("type", "tmpfs").put("source", "tmpfs");
        tmp.putArray("options").add("nosuid").add("nodev").add("mode=1777").add("size=" + spec.tmpMb() + "m");
        for (Bind bind : spec.binds()) {
            ObjectNode mount = mounts.addObject()
                    .put("destination", bind.destination()).put("type", "bind").put("source", bind.source().toString());
            ArrayNode options = mount.putArray("options");
            READ_ONLY_BIND.forEach(options::add);
        }
        return mounts;
    }

    private static ObjectNode linux(Spec spec) {
        ObjectNode linux = JSON.createObjectNode();
        ArrayNode namespaces = linux.putArray("namespaces");
        for (String type : List.of("pid", "ipc", "uts", "mount")) {
            namespaces.addObject().put("type", type);
        }
        if (!spec.hostNetwork()) {
            namespaces.addObject().put("type", "network");
        }
        ObjectNode resources = linux.putObject("resources");
        // memory.swap is memory plus swap in OCI (version 1 semantics): equal to the limit means no swap.
        resources.putObject("memory").put("limit", spec.memoryBytes()).put("swap", spec.memoryBytes());
        resources.putObject("cpu").put("quota", spec.cpuQuotaUs()).put("period", spec.cpuPeriodUs());
        resources.putObject("pids").put("limit", spec.sandboxPids());
        linux.put("cgroupsPath", spec.cgroupsPath());
        return linux;
    }
}
