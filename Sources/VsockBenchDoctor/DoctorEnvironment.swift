#if canImport(Glibc)
import Glibc
#endif
import VsockProbe
import VsockTransport

/// Where `doctor` looks and what it may ask the kernel. The defaults read the live machine;
/// tests point the roots at fake trees and replace the answers that come from system calls
/// rather than files. Everything it reads exists in a busybox initramfs: no `sysctl`, no
/// `modprobe`, no `nitro-cli` needed (/proc/sys and /sys/module are read directly).
public struct DoctorEnvironment: Sendable {
    /// procfs: `sys/net/...`, `self/status`, `interrupts`.
    public var procRoot: String
    /// sysfs: `module/<name>`, `kernel/tracing`, `bus/virtio/drivers/...`.
    public var sysRoot: String
    /// Device nodes: `vsock`, `kvm`, `nitro_enclaves`.
    public var devRoot: String
    /// `nitro_enclaves/allocator.yaml`.
    public var etcRoot: String
    /// Directories searched for `nitro-cli`, colon-separated as in PATH.
    public var searchPath: String
    /// `uname -r`; nil asks the kernel.
    public var kernelRelease: String?
    /// The effective uid; nil asks the kernel (`geteuid`).
    public var effectiveUID: UInt32?
    /// The AF_VSOCK answers; nil creates an unconnected AF_VSOCK socket and reads the local CID
    /// from `<devRoot>/vsock`.
    public var vsockSupport: VsockSupport?
    /// Whether AF_UNIX SOCK_SEQPACKET sockets can be created; nil asks the kernel (one socket,
    /// created and closed).
    public var unixSeqpacket: SocketAnswer?
    /// Whether bpf() works; nil asks the kernel (a one-slot map, created and closed) when the
    /// privileges suffice.
    public var bpfSyscall: ProbeAvailability?
    /// Whether the fentry object may be loaded (and closed at once) to learn whether this kernel
    /// allows fentry: the only probe program whose fate is not known without loading it.
    public var loadsFentry: Bool
    /// How long `nitro-cli describe-enclaves` may take.
    public var commandTimeoutSeconds: Double

    public init(
        procRoot: String = "/proc", sysRoot: String = "/sys", devRoot: String = "/dev", etcRoot: String = "/etc",
        searchPath: String = DoctorEnvironment.processSearchPath, kernelRelease: String? = nil,
        effectiveUID: UInt32? = nil, vsockSupport: VsockSupport? = nil, bpfSyscall: ProbeAvailability? = nil,
        loadsFentry: Bool = true, commandTimeoutSeconds: Double = 10, unixSeqpacket: SocketAnswer? = nil
    ) {
        self.unixSeqpacket = unixSeqpacket
        self.procRoot = procRoot
        self.sysRoot = sysRoot
        self.devRoot = devRoot
        self.etcRoot = etcRoot
        self.searchPath = searchPath
        self.kernelRelease = kernelRelease
        self.effectiveUID = effectiveUID
        self.vsockSupport = vsockSupport
        self.bpfSyscall = bpfSyscall
        self.loadsFentry = loadsFentry
        self.commandTimeoutSeconds = commandTimeoutSeconds
    }

    /// This process's PATH, or the usual directories when it has none (a bare init).
    public static var processSearchPath: String {
        getenv("PATH").map { String(cString: $0) } ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    }

    func proc(_ relative: String) -> String { "\(procRoot)/\(relative)" }
    func sys(_ relative: String) -> String { "\(sysRoot)/\(relative)" }
    func dev(_ relative: String) -> String { "\(devRoot)/\(relative)" }
    func etc(_ relative: String) -> String { "\(etcRoot)/\(relative)" }

    /// The first executable `name` in ``searchPath``.
    func findExecutable(_ name: String) -> String? {
        searchPath.split(separator: ":").map { "\($0)/\(name)" }.first { access($0, X_OK) == 0 }
    }

    /// A small text file, trimmed; nil when it cannot be read.
    func readTrimmed(_ path: String) -> String? {
        guard let text = try? FileSystem.readText(path) else { return nil }
        return String(text.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}

/// Whether a kind of socket can be created here, or why not.
public enum SocketAnswer: Sendable, Equatable {
    case works
    case fails(String)

    /// `.works` for nil, else `.fails` with the reason.
    public init(problem: String?) {
        self = problem.map { .fails($0) } ?? .works
    }
}
