#if canImport(Glibc)
import Glibc
#endif

/// Whether a process may load and attach the probe: CAP_BPF with CAP_PERFMON (5.8+), or
/// CAP_SYS_ADMIN, which implies both on older kernels (root holds them unless its set was cut). Built from the effective uid and the
/// `CapEff:` line of `/proc/<pid>/status`, so a test can feed any status text.
public struct ProbePrivileges: Sendable, Equatable {
    /// The effective uid; 0 is root.
    public var effectiveUID: UInt32
    /// The effective capability mask (`CapEff:`); nil when the status file could not be read.
    public var effectiveCapabilities: UInt64?

    /// CAP_SYS_ADMIN, CAP_PERFMON and CAP_BPF: bit numbers from linux/capability.h.
    public static let capSysAdmin = 21
    public static let capPerfmon = 38
    public static let capBPF = 39

    public init(effectiveUID: UInt32, effectiveCapabilities: UInt64?) {
        self.effectiveUID = effectiveUID
        self.effectiveCapabilities = effectiveCapabilities
    }

    /// Parses the `CapEff:` line of a `/proc/<pid>/status` text (hexadecimal mask).
    public init(effectiveUID: UInt32, status: String) {
        let line = status.split(separator: "\n").first { $0.hasPrefix("CapEff:") }
        let mask = line.flatMap { UInt64(String($0.dropFirst("CapEff:".count).filter(\.isHexDigit)), radix: 16) }
        self.init(effectiveUID: effectiveUID, effectiveCapabilities: mask)
    }

    /// This process, from `geteuid()` and `statusFile` (default `/proc/self/status`).
    public static func current(statusFile: String = "/proc/self/status") -> ProbePrivileges {
        ProbePrivileges(effectiveUID: geteuid(), status: (try? FileSystem.readText(statusFile)) ?? "")
    }

    public var isRoot: Bool { effectiveUID == 0 }

    public func has(capability bit: Int) -> Bool {
        guard let effectiveCapabilities else { return false }
        return effectiveCapabilities & (UInt64(1) << UInt64(bit)) != 0
    }

    /// Enough to load, attach and read the probe. The kernel checks capabilities, not the uid:
    /// root without them (a container's default set, `setpriv --bounding-set=-bpf,...`) is
    /// refused by bpf() (it had passed here, then failed with libbpf's "try raising 'ulimit
    /// -l'?"). The uid alone decides only where the mask cannot be read.
    public var sufficient: Bool {
        guard effectiveCapabilities != nil else { return isRoot }
        return (has(capability: Self.capBPF) && has(capability: Self.capPerfmon)) || has(capability: Self.capSysAdmin)
    }

    /// Root whose capability set lacks what the probe needs.
    public var isRootWithoutCapabilities: Bool { isRoot && !sufficient }

    /// Which of the three grant it, for a report: `root`, `CAP_BPF+CAP_PERFMON`, `CAP_SYS_ADMIN`; nil when none.
    public var grantedBy: String? {
        guard sufficient else { return nil }
        if isRoot { return "root" }
        if has(capability: Self.capBPF) && has(capability: Self.capPerfmon) { return "CAP_BPF+CAP_PERFMON" }
        if has(capability: Self.capSysAdmin) { return "CAP_SYS_ADMIN" }
        return nil
    }
}
