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
    /// How the binary that reported these facts was built: `debug` or `release`
    /// (`BuildConfiguration`). A debug target's processing is its unoptimised code's, so its
    /// figures are not the tool's. Nil where not said (a target older than the key).
    public var build: String?

    public init(tool: String, kernel: String, hostname: String, pid: Int32, cpus: Int, build: String? = nil) {
        self.tool = tool
        self.kernel = kernel
        self.hostname = hostname
        self.pid = pid
        self.cpus = cpus
        self.build = build
    }

    enum CodingKeys: String, CodingKey {
        case tool, kernel, hostname, pid, cpus, build
    }

    /// `build` may be absent: a hello ack or a results file from before the key.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        tool = try c.decode(String.self, forKey: .tool)
        kernel = try c.decode(String.self, forKey: .kernel)
        hostname = try c.decode(String.self, forKey: .hostname)
        pid = try c.decode(Int32.self, forKey: .pid)
        cpus = try c.decode(Int.self, forKey: .cpus)
        build = try c.decodeIfPresent(String.self, forKey: .build)
    }

    /// Every key, `build` null where not said.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(tool, forKey: .tool)
        try c.encode(kernel, forKey: .kernel)
        try c.encode(hostname, forKey: .hostname)
        try c.encode(pid, forKey: .pid)
        try c.encode(cpus, forKey: .cpus)
        try c.encode(build, forKey: .build)
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
            pid: getpid(), cpus: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), build: BuildConfiguration.current)
    }
}

/// How this binary was built: SwiftPM's debug configuration defines DEBUG.
public enum BuildConfiguration {
    public static let debug = "debug"
    public static let release = "release"
    #if DEBUG
    public static let current = debug
    #else
    public static let current = release
    #endif
}
