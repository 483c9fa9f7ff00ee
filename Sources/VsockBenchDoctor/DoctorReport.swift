import FoundationEssentials
import VsockBenchSupport

/// What `vsockbench doctor` found on this machine: the facts, and one check per line of the
/// screen. The JSON form (`schema: "vsockbench-doctor/2"`) has the same checks under stable
/// snake_case keys, each with `group`, `title`, `status`, `detail`, `advice` and `notes`.
public struct DoctorReport: Sendable, Encodable {
    public static let schemaName = "vsockbench-doctor/2"

    public var tool: String
    public var hostname: String
    public var generatedAt: String
    public var vsock: VsockFacts
    public var nitro: NitroFacts
    public var kernel: KernelFacts
    public var socketBuffers: SocketBufferFacts
    public var bpf: BPFFacts
    public var kvm: KVMFacts

    /// Looks at the machine as `environment` says; never connects, binds or listens, and loads
    /// at most the small fentry object (closed at once).
    public static func gather(_ environment: DoctorEnvironment = DoctorEnvironment()) -> DoctorReport {
        let vsock = VsockFacts.gather(environment)
        let host = HostFacts.current()
        return DoctorReport(
            tool: HostFacts.toolVersion, hostname: host.hostname, generatedAt: iso8601Now(), vsock: vsock,
            nitro: NitroFacts.gather(environment), kernel: KernelFacts.gather(environment),
            socketBuffers: SocketBufferFacts.gather(environment, vsock: vsock.support), bpf: BPFFacts.gather(environment),
            kvm: KVMFacts.gather(environment))
    }

    /// Every check, grouped in screen order.
    public var checks: [DoctorCheck] {
        vsock.checks(nitroDevicePresent: nitro.devicePresent) + [vsock.seqpacketCheck(kernel: kernel)] + nitro.checks + kernel.checks + socketBuffers.checks
            + bpf.checks + kvm.checks(nitroParent: nitro.devicePresent)
    }

    public func check(_ id: String) -> DoctorCheck? {
        checks.first { $0.id == id }
    }

    /// How many checks have each status.
    public var summary: [DoctorStatus: Int] {
        Dictionary(grouping: checks, by: \.status).mapValues(\.count)
    }

    enum CodingKeys: String, CodingKey {
        case schema, tool, hostname, generatedAt = "generated_at", summary, checks, facts
    }

    enum FactKeys: String, CodingKey {
        case vsock, nitro, kernel, socketBuffers = "socket_buffers", bpf, kvm
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.schemaName, forKey: .schema)
        try container.encode(tool, forKey: .tool)
        try container.encode(hostname, forKey: .hostname)
        try container.encode(generatedAt, forKey: .generatedAt)
        let counts = summary
        var statuses: [String: Int] = [:]
        for status in DoctorStatus.allCases { statuses[status.rawValue] = counts[status] ?? 0 }
        try container.encode(statuses, forKey: .summary)
        try container.encode(Dictionary(uniqueKeysWithValues: checks.map { ($0.id, $0) }), forKey: .checks)
        var facts = container.nestedContainer(keyedBy: FactKeys.self, forKey: .facts)
        try facts.encode(vsock, forKey: .vsock)
        try facts.encode(nitro, forKey: .nitro)
        try facts.encode(kernel, forKey: .kernel)
        try facts.encode(socketBuffers, forKey: .socketBuffers)
        try facts.encode(bpf, forKey: .bpf)
        try facts.encode(kvm, forKey: .kvm)
    }

    /// Pretty, key-sorted JSON with a final newline.
    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return ((try? encoder.encode(self)).map(Array.init) ?? []) + [10]
    }
}
