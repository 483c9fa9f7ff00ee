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
    /// This machine's own user space: user and nice, less the virtual machines' time the
    /// kernel counts in them (guest and guest_nice).
    public var user: UInt64
    /// The kernel: system, irq and softirq.
    public var system: UInt64
    /// Virtual machines this machine runs (guest and guest_nice): a target in a VM on this
    /// host spends its CPU here.
    public var guest: UInt64
    /// idle and iowait.
    public var idle: UInt64
    public var steal: UInt64

    public init(user: UInt64, system: UInt64, guest: UInt64 = 0, idle: UInt64, steal: UInt64) {
        self.user = user
        self.system = system
        self.guest = guest
        self.idle = idle
        self.steal = steal
    }

    public var busy: UInt64 { user &+ system &+ guest }
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
    /// Kernels before 2.6.11 have no steal field; a line with fewer than 8 numbers is refused
    /// (before 2.6.24 no guest fields: 0 then).
    public static func parse(_ bytes: ArraySlice<UInt8>) -> MachineTicks? {
        parseLine(bytes.prefix { $0 != UInt8(ascii: "\n") }).flatMap { $0.name == "cpu" ? $0.ticks : nil }
    }

    /// Every CPU line of a whole /proc/stat text by its name: `cpu` (the machine), `cpu0`,
    /// `cpu1`... (the other lines left out).
    public static func parseEach(_ text: String) -> [String: MachineTicks] {
        var lines: [String: MachineTicks] = [:]
        for line in text.utf8.split(separator: UInt8(ascii: "\n")) where line.starts(with: "cpu".utf8) {
            if let (name, ticks) = parseLine(line) { lines[name] = ticks }
        }
        return lines
    }

    /// One `cpuN ...` line, its name and ticks.
    private static func parseLine<Line: Collection<UInt8>>(_ line: Line) -> (name: String, ticks: MachineTicks)? {
        let fields = line.split(separator: UInt8(ascii: " "))
        guard let name = fields.first, name.starts(with: "cpu".utf8), fields.count >= 9 else { return nil }
        var numbers: [UInt64] = []
        for field in fields.dropFirst().prefix(10) {
            var value: UInt64 = 0
            for byte in field {
                guard byte >= 48, byte <= 57 else { return nil }
                let (product, overflow) = value.multipliedReportingOverflow(by: 10)
                let (sum, carry) = product.addingReportingOverflow(UInt64(byte - 48))
                guard !overflow, !carry else { return nil }
                value = sum
            }
            numbers.append(value)
        }
        let guest = numbers.count >= 10 ? numbers[8] &+ numbers[9] : 0
        let user = numbers[0] &+ numbers[1]
        let ticks = MachineTicks(user: user >= guest ? user - guest : 0, system: numbers[2] &+ numbers[5] &+ numbers[6], guest: guest, idle: numbers[3] &+ numbers[4], steal: numbers[7])
        return (String(decoding: name, as: UTF8.self), ticks)
    }

    /// The ticks between two readings; nil when a count went backwards (a reading of another
    /// machine, or a counter reset: no difference to trust).
    public static func - (later: MachineTicks, earlier: MachineTicks) -> MachineTicks? {
        guard later.user >= earlier.user, later.system >= earlier.system, later.guest >= earlier.guest, later.idle >= earlier.idle, later.steal >= earlier.steal else { return nil }
        return MachineTicks(user: later.user - earlier.user, system: later.system - earlier.system, guest: later.guest - earlier.guest,
                            idle: later.idle - earlier.idle, steal: later.steal - earlier.steal)
    }
}
