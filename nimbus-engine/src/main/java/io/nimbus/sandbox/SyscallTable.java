package io.nimbus.sandbox;

import java.util.Map;

/**
 * The x86_64 system call numbers the seccomp filter names, copied from the kernel headers
 * ({@code /usr/include/x86_64-linux-gnu/asm/unistd_64.h}, linux-libc-dev for Linux 6.1, whose
 * table ends at 450 {@code set_mempolicy_home_node}). Numbers of the x86_64 ABI never change,
 * so hard-coding them is safe; only syscalls the filter mentions are listed. Calls that have no
 * x86_64 number (stime, vm86, umount, ...) are absent; calls added after that header
 * (open_tree_attr, listmount, statmount, ...) are absent too and so are allowed by default.
 */
final class SyscallTable {
    private static final Map<String, Integer> X86_64 = Map.ofEntries(
            // used by the filter's rules
            Map.entry("clone", 56),
            Map.entry("clone3", 435),
            Map.entry("personality", 135),
            // mount family
            Map.entry("mount", 165),
            Map.entry("umount2", 166),
            Map.entry("pivot_root", 155),
            Map.entry("chroot", 161),
            Map.entry("open_tree", 428),
            Map.entry("move_mount", 429),
            Map.entry("fsopen", 430),
            Map.entry("fsconfig", 431),
            Map.entry("fsmount", 432),
            Map.entry("fspick", 433),
            Map.entry("mount_setattr", 442),
            // namespaces
            Map.entry("unshare", 272),
            Map.entry("setns", 308),
            // other processes
            Map.entry("ptrace", 101),
            Map.entry("process_vm_readv", 310),
            Map.entry("process_vm_writev", 311),
            Map.entry("process_madvise", 440),
            Map.entry("pidfd_getfd", 438),
            Map.entry("kcmp", 312),
            // kernel code and reboot
            Map.entry("kexec_load", 246),
            Map.entry("kexec_file_load", 320),
            Map.entry("init_module", 175),
            Map.entry("finit_module", 313),
            Map.entry("delete_module", 176),
            Map.entry("create_module", 174),
            Map.entry("get_kernel_syms", 177),
            Map.entry("query_module", 178),
            Map.entry("reboot", 169),
            // large kernel attack surfaces
            Map.entry("bpf", 321),
            Map.entry("perf_event_open", 298),
            Map.entry("userfaultfd", 323),
            Map.entry("io_uring_setup", 425),
            Map.entry("io_uring_enter", 426),
            Map.entry("io_uring_register", 427),
            Map.entry("fanotify_init", 300),
            // keyrings
            Map.entry("keyctl", 250),
            Map.entry("add_key", 248),
            Map.entry("request_key", 249),
            // file handles
            Map.entry("open_by_handle_at", 304),
            Map.entry("name_to_handle_at", 303),
            // host-wide state
            Map.entry("settimeofday", 164),
            Map.entry("clock_settime", 227),
            Map.entry("clock_adjtime", 305),
            Map.entry("adjtimex", 159),
            Map.entry("sethostname", 170),
            Map.entry("setdomainname", 171),
            Map.entry("swapon", 167),
            Map.entry("swapoff", 168),
            Map.entry("acct", 163),
            Map.entry("quotactl", 179),
            Map.entry("quotactl_fd", 443),
            Map.entry("syslog", 103),
            Map.entry("vhangup", 153),
            // hardware and segments
            Map.entry("iopl", 172),
            Map.entry("ioperm", 173),
            Map.entry("modify_ldt", 154),
            // NUMA placement
            Map.entry("mbind", 237),
            Map.entry("set_mempolicy", 238),
            Map.entry("migrate_pages", 256),
            Map.entry("move_pages", 279),
            Map.entry("set_mempolicy_home_node", 450),
            // obsolete
            Map.entry("uselib", 134),
            Map.entry("nfsservctl", 180),
            Map.entry("_sysctl", 156),
            Map.entry("ustat", 136),
            Map.entry("sysfs", 139),
            Map.entry("lookup_dcookie", 212));

    private SyscallTable() {
    }

    /** The x86_64 number of {@code name}; throws for a name the table does not hold. */
    static int number(String name) {
        Integer number = X86_64.get(name);
        if (number == null) {
            throw new IllegalArgumentException("no x86_64 syscall number for " + name);
        }
        return number;
    }
}
