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
        if !hasPrivileges() {
            return .unavailable(
                missing: "root or CAP_BPF+CAP_PERFMON",
                howToFix: "run as root (sudo), or grant the binary: sudo setcap cap_bpf,cap_perfmon+ep PATH")
        }
        let fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, nil, 4, 8, 1, nil)
        guard fd >= 0 else {
            let error = String(cString: strerror(-fd))
            return .unavailable(
                missing: "a working bpf() system call (\(error))",
                howToFix: "use a kernel built with CONFIG_BPF_SYSCALL; in a container, run it privileged or allow bpf in its seccomp profile")
        }
        Glibc.close(fd)
        do {
            try Tracefs.ensureMounted(at: ProbeConfiguration.defaultTracefsRoot)
        } catch {
            return .unavailable(
                missing: "tracefs at \(ProbeConfiguration.defaultTracefsRoot)",
                howToFix: "mount -t tracefs nodev \(ProbeConfiguration.defaultTracefsRoot) (as root)")
        }
        return .available
    }

    /// Root, or the capabilities the kernel asks for: CAP_BPF (39) and CAP_PERFMON (38), or
    /// CAP_SYS_ADMIN (21) which implies both on older kernels.
    static func hasPrivileges() -> Bool {
        if geteuid() == 0 { return true }
        guard let status = try? FileSystem.readText("/proc/self/status"),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("CapEff:") }),
            let mask = UInt64(String(line.dropFirst("CapEff:".count).filter(\.isHexDigit)), radix: 16)
        else { return false }
        let bpf: UInt64 = 1 << 39
        let perfmon: UInt64 = 1 << 38
        let sysAdmin: UInt64 = 1 << 21
        return mask & (bpf | perfmon) == bpf | perfmon || mask & sysAdmin != 0
    }
}
