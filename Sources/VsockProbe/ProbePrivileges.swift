#if canImport(Glibc)
import Glibc
#endif

/// Whether a process may load and attach the probe: root, CAP_BPF with CAP_PERFMON (5.8+), or
/// CAP_SYS_ADMIN, which implies both on older kernels. Built from the effective uid and the
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

    /// Enough to load, attach and read the probe.
    public var sufficient: Bool {
        isRoot || (has(capability: Self.capBPF) && has(capability: Self.capPerfmon)) || has(capability: Self.capSysAdmin)
    }

    /// Which of the three grant it, for a report: `root`, `CAP_BPF+CAP_PERFMON`, `CAP_SYS_ADMIN`; nil when none.
    public var grantedBy: String? {
        if isRoot { return "root" }
        if has(capability: Self.capBPF) && has(capability: Self.capPerfmon) { return "CAP_BPF+CAP_PERFMON" }
        if has(capability: Self.capSysAdmin) { return "CAP_SYS_ADMIN" }
        return nil
    }
}
