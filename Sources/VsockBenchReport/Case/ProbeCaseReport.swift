import VsockProbe

/// What the eBPF probe counted for a case over its measured interval, and the same per
/// message. Its syscalls and KVM counts are those of the processes it followed (`processes`):
/// the driver, and the target where the run started it; a target elsewhere (in an enclave)
/// is not counted.
public struct ProbeCaseReport: Codable, Sendable, Equatable {
    public var counters: ProbeCounters
    public var perMessage: ProbePerMessage
    /// Whose syscalls and KVM counts these are: `driver and target`, `driver` (the target runs
    /// elsewhere), or `driver, with the target in its process` (`--target null`); nil in files
    /// from before the key.
    public var processes: String?

    public static let driverAndTarget = "driver and target"
    public static let driverOnly = "driver"
    public static let inProcess = "driver, with the target in its process"

    /// The cases' `processes`, each once, in the cases' order (none from older files).
    static func processes(of cases: [CaseResult]) -> [String] {
        var said: [String] = []
        for c in cases { if let processes = c.probe?.processes, !said.contains(processes) { said.append(processes) } }
        return said
    }

    public init(counters: ProbeCounters, perMessage: ProbePerMessage, processes: String? = nil) {
        self.counters = counters
        self.perMessage = perMessage
        self.processes = processes
    }

    enum CodingKeys: String, CodingKey {
        case counters, perMessage = "per_msg", processes
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        counters = try c.decode(ProbeCounters.self, forKey: .counters)
        perMessage = try c.decode(ProbePerMessage.self, forKey: .perMessage)
        processes = try c.decodeIfPresent(String.self, forKey: .processes)
    }

    /// Every key, `processes` null where not said.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(counters, forKey: .counters)
        try c.encode(perMessage, forKey: .perMessage)
        try c.encode(processes, forKey: .processes)
    }
}
