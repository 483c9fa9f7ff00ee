#if canImport(Glibc)
import Glibc
#endif

/// The machine's CPU time as the kernel counts it on the first line of /proc/stat (every
/// CPU, in USER_HZ ticks): what ran beside a case, this run included, and what the hypervisor
/// took from a virtual machine (steal: time a virtual CPU was ready to run and the host ran
/// something else). A case whose timings moved while the machine was busy with other work or
/// robbed by its host moved for the machine, not for the code (CI, December: a whole run came
/// 6x slower with nothing of its own in the way).
public struct MachineTicks: Sendable, Equatable {
    /// User space: user and nice (a guest's time is counted in user already).
    public var user: UInt64
    /// The kernel: system, irq and softirq.
    public var system: UInt64
    /// idle and iowait.
    public var idle: UInt64
    public var steal: UInt64

    public init(user: UInt64, system: UInt64, idle: UInt64, steal: UInt64) {
        self.user = user
        self.system = system
        self.idle = idle
        self.steal = steal
    }

    public var busy: UInt64 { user &+ system }
    public var total: UInt64 { busy &+ idle &+ steal }

    /// Nanoseconds a tick stands for (USER_HZ, 100 on Linux).
    public static let nanosPerTick: UInt64 = {
        let hz = sysconf(Int32(_SC_CLK_TCK))
        return hz > 0 ? 1_000_000_000 / UInt64(hz) : 10_000_000
    }()

    /// Now, from /proc/stat; nil where it cannot be read or parsed.
    public static func read() -> MachineTicks? {
        let fd = "/proc/stat".withCString { open($0, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        // The first line only: the rest (a line per CPU, every interrupt's count) can be long.
        var buffer = [UInt8](repeating: 0, count: 512)
        let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        return parse(buffer[..<count])
    }

    /// The `cpu` line: `cpu  user nice system idle iowait irq softirq steal guest guest_nice`.
    /// Kernels before 2.6.11 have no steal field; a line with fewer than 8 numbers is refused.
    public static func parse(_ bytes: ArraySlice<UInt8>) -> MachineTicks? {
        let line = bytes.prefix { $0 != UInt8(ascii: "\n") }
        let fields = line.split(separator: UInt8(ascii: " "))
        guard let name = fields.first, name.elementsEqual("cpu".utf8), fields.count >= 9 else { return nil }
        var numbers: [UInt64] = []
        for field in fields.dropFirst().prefix(8) {
            var value: UInt64 = 0
            for byte in field {
                guard byte >= 48, byte <= 57 else { return nil }
                let (product, overflow) = value.multipliedReportingOverflow(by: 10)
                guard !overflow else { return nil }
                value = product &+ UInt64(byte - 48)
            }
            numbers.append(value)
        }
        return MachineTicks(user: numbers[0] &+ numbers[1], system: numbers[2] &+ numbers[5] &+ numbers[6], idle: numbers[3] &+ numbers[4], steal: numbers[7])
    }

    /// The ticks between two readings; nil when a count went backwards (a reading of another
    /// machine, or a counter reset: no difference to trust).
    public static func - (later: MachineTicks, earlier: MachineTicks) -> MachineTicks? {
        guard later.user >= earlier.user, later.system >= earlier.system, later.idle >= earlier.idle, later.steal >= earlier.steal else { return nil }
        return MachineTicks(user: later.user - earlier.user, system: later.system - earlier.system, idle: later.idle - earlier.idle, steal: later.steal - earlier.steal)
    }
}
