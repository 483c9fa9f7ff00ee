import CLibbpf

#if canImport(Glibc)
import Glibc
#endif

/// Whether this process can run the probe, and if not, what is missing and how to get it.
public enum ProbeAvailability: Sendable, Equatable {
    case available
    /// `missing` names the requirement; `howToFix` is one actionable sentence.
    case unavailable(missing: String, howToFix: String)

    /// One line for a user: empty when available.
    public var message: String {
        switch self {
        case .available: ""
        case .unavailable(let missing, let howToFix): "probe unavailable: missing \(missing); \(howToFix)"
        }
    }
}

extension Probe {
    /// Checks, in order, the privileges (root, or CAP_BPF with CAP_PERFMON), that the bpf()
    /// system call works (it may be compiled out or blocked by seccomp in a container), and that
    /// tracefs is mounted at /sys/kernel/tracing (mounting it if it is not).
    public static func checkAvailability() -> ProbeAvailability {
        let privileges = checkPrivileges(.current())
        guard privileges == .available else { return privileges }
        let bpf = checkBPFSyscall()
        guard bpf == .available else { return bpf }
        let root = ProbeConfiguration.defaultTracefsRoot
        // Mounted, but root's alone (mode 0700): CAP_BPF and CAP_PERFMON do not read it, and
        // mounting it again is not the fix (a user with the two capabilities was told to).
        if !FileSystem.isDirectory("\(root)/events"), tracefsIsListed(at: root, mounts: (try? FileSystem.readText("/proc/mounts")) ?? "") {
            return .unavailable(missing: "read access to tracefs at \(root) (it is mounted, but readable by root only)", howToFix: unreadableTracefsFix)
        }
        do {
            try Tracefs.ensureMounted(at: root)
        } catch {
            return .unavailable(missing: "tracefs at \(root)", howToFix: "mount -t tracefs nodev \(root) (as root)")
        }
        return .available
    }

    /// What to do about a tracefs that is mounted but not readable by this user.
    public static var unreadableTracefsFix: String {
        "run as root (sudo), or grant CAP_DAC_READ_SEARCH with the other two: \(setcapCommand())"
    }

    /// The command that grants `executable` (this binary, by default) the probe's capabilities:
    /// a line to paste, the path quoted where a shell would split it (it said a literal PATH).
    public static func setcapCommand(executable: String? = FileSystem.currentExecutable()) -> String {
        let path = executable ?? "PATH"
        let plain = path.allSatisfy { $0.isLetter || $0.isNumber || "/._-+,@%:=".contains($0) }
        let quoted = plain ? path : "'" + path.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
        return "sudo setcap cap_bpf,cap_perfmon,cap_dac_read_search+ep \(quoted)"
    }

    /// Whether `mounts` (the text of /proc/mounts, which every user may read) has a tracefs
    /// mounted at `root`.
    public static func tracefsIsListed(at root: String, mounts: String) -> Bool {
        mounts.split(separator: "\n").contains { line in
            let fields = line.split(separator: " ")
            return fields.count >= 3 && fields[1] == root && fields[2] == "tracefs"
        }
    }

    /// Root, or the capabilities the kernel asks for (see ``ProbePrivileges``).
    public static func checkPrivileges(_ privileges: ProbePrivileges, executable: String? = FileSystem.currentExecutable()) -> ProbeAvailability {
        guard privileges.sufficient else {
            if privileges.isRootWithoutCapabilities {
                return .unavailable(
                    missing: "CAP_BPF+CAP_PERFMON (or CAP_SYS_ADMIN): this process runs as root without them (a container's default set, or one that dropped them)",
                    howToFix: "give it those capabilities: docker run --cap-add BPF --cap-add PERFMON (or --privileged), or run it outside the restricted set")
            }
            return .unavailable(
                missing: "root or CAP_BPF+CAP_PERFMON",
                howToFix: "run as root (sudo), or grant the binary: \(setcapCommand(executable: executable)) (the last to read tracefs)")
        }
        return .available
    }

    /// Creates (and closes) a one-slot array map: the cheapest call that proves bpf() works.
    public static func checkBPFSyscall() -> ProbeAvailability {
        let fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, nil, 4, 8, 1, nil)
        guard fd >= 0 else { return bpfSyscallRefused(errno: -fd) }
        Glibc.close(fd)
        return .available
    }

    /// What a failed bpf() means: EPERM is this process refused (seccomp, lockdown, a cut
    /// capability set), not a kernel without the call.
    static func bpfSyscallRefused(errno code: Int32) -> ProbeAvailability {
        let error = String(cString: strerror(code))
        if code == EPERM {
            return .unavailable(
                missing: "permission for the bpf() system call (\(error))",
                howToFix: "the call exists but refused this process: a seccomp profile, kernel lockdown or a capability set without CAP_BPF; in a container, run it privileged or allow bpf")
        }
        return .unavailable(
            missing: "a working bpf() system call (\(error))",
            howToFix: "use a kernel built with CONFIG_BPF_SYSCALL; in a container, run it privileged or allow bpf in its seccomp profile")
    }
}
