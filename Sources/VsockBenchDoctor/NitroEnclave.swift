import FoundationEssentials
import Yams

/// One enclave as `nitro-cli describe-enclaves` lists it.
public struct NitroEnclave: Sendable, Equatable, Codable {
    public var name: String?
    public var cid: UInt32
    public var state: String
    public var cpuCount: Int?
    public var memoryMiB: Int?

    public init(name: String? = nil, cid: UInt32, state: String, cpuCount: Int? = nil, memoryMiB: Int? = nil) {
        self.name = name
        self.cid = cid
        self.state = state
        self.cpuCount = cpuCount
        self.memoryMiB = memoryMiB
    }

    enum CodingKeys: String, CodingKey {
        case name, cid, state, cpuCount = "cpu_count", memoryMiB = "memory_mib"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(cid, forKey: .cid)
        try container.encode(state, forKey: .state)
        try container.encode(cpuCount, forKey: .cpuCount)
        try container.encode(memoryMiB, forKey: .memoryMiB)
    }

    /// nitro-cli's own keys. Its documentation names the CPU count `NumberOfCPUs`; `CPUCount`
    /// is accepted too.
    private struct Listed: Decodable {
        var name: String?
        var cid: UInt32
        var state: String
        var numberOfCPUs: Int?
        var cpuCount: Int?
        var memoryMiB: Int?

        enum CodingKeys: String, CodingKey {
            case name = "EnclaveName", cid = "EnclaveCID", state = "State", numberOfCPUs = "NumberOfCPUs"
            case cpuCount = "CPUCount", memoryMiB = "MemoryMiB"
        }
    }

    /// Parses the JSON array `nitro-cli describe-enclaves` prints.
    public static func parseDescribeEnclaves(_ text: String) throws -> [NitroEnclave] {
        try JSONDecoder().decode([Listed].self, from: Data(text.utf8)).map {
            NitroEnclave(
                name: $0.name, cid: $0.cid, state: $0.state, cpuCount: $0.numberOfCPUs ?? $0.cpuCount,
                memoryMiB: $0.memoryMiB)
        }
    }
}

/// What the Nitro Enclaves allocator reserves for enclaves at boot (/etc/nitro_enclaves/allocator.yaml).
public struct NitroAllocatorConfig: Sendable, Equatable, Codable {
    public var memoryMiB: Int?
    public var cpuCount: Int?
    /// `cpu_pool`, the alternative to `cpu_count` (e.g. "2,3" or "2-5").
    public var cpuPool: String?

    public init(memoryMiB: Int? = nil, cpuCount: Int? = nil, cpuPool: String? = nil) {
        self.memoryMiB = memoryMiB
        self.cpuCount = cpuCount
        self.cpuPool = cpuPool
    }

    enum CodingKeys: String, CodingKey {
        case memoryMiB = "memory_mib", cpuCount = "cpu_count", cpuPool = "cpu_pool"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(memoryMiB, forKey: .memoryMiB)
        try container.encode(cpuCount, forKey: .cpuCount)
        try container.encode(cpuPool, forKey: .cpuPool)
    }

    /// Parses the allocator's YAML; keys it does not know are ignored.
    public static func parse(_ text: String) throws -> NitroAllocatorConfig {
        guard let mapping = try Yams.load(yaml: text) as? [String: Any] else {
            return NitroAllocatorConfig()
        }
        func int(_ key: String) -> Int? {
            (mapping[key] as? Int) ?? (mapping[key] as? String).flatMap { Int($0) }
        }
        let pool = mapping["cpu_pool"].map { "\($0)" }
        return NitroAllocatorConfig(memoryMiB: int("memory_mib"), cpuCount: int("cpu_count"), cpuPool: pool)
    }

    /// `4096 MiB, 4 CPUs` for the screen.
    public var summary: String {
        var parts: [String] = []
        if let memoryMiB { parts.append("memory_mib \(memoryMiB)") }
        if let cpuCount { parts.append("cpu_count \(cpuCount)") }
        if let cpuPool { parts.append("cpu_pool \(cpuPool)") }
        return parts.isEmpty ? "no memory_mib, cpu_count or cpu_pool" : parts.joined(separator: ", ")
    }
}
