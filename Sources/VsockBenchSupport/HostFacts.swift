#if canImport(Glibc)
import Glibc
#endif

/// Facts about one side of a run that every result records: a figure from a 4.14 enclave kernel
/// (credit update on every read) and one from a 6.x kernel are not comparable.
public struct HostFacts: Sendable, Equatable, Codable {
    public var tool: String
    public var kernel: String
    public var hostname: String
    public var pid: Int32
    public var cpus: Int

    public init(tool: String, kernel: String, hostname: String, pid: Int32, cpus: Int) {
        self.tool = tool
        self.kernel = kernel
        self.hostname = hostname
        self.pid = pid
        self.cpus = cpus
    }

    public static let toolVersion = "vsockbench 0.1.0"

    public static func current() -> HostFacts {
        var names = utsname()
        uname(&names)
        func field<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
        }
        return HostFacts(
            tool: toolVersion, kernel: field(names.release), hostname: field(names.nodename),
            pid: getpid(), cpus: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }
}
