/// One BPF program of the probe and whether it counts: the `sources` of the JSON report, so
/// every figure says where it came from and every missing figure says why.
public struct ProbeSource: Codable, Equatable, Sendable {
    /// The BPF program, e.g. `count_kvm_run`.
    public var program: String
    /// What it attaches to, e.g. `syscalls/sys_enter_ioctl` or `fentry/virtqueue_notify`.
    public var tracepoint: String
    /// The counter it feeds, as named in the JSON report (`kvm_run`, `vsock.tx`...).
    public var counts: String
    /// Whether it was loaded and attached.
    public var attached: Bool
    /// Why it is not attached (nil when it is).
    public var reason: String?

    public init(program: String, tracepoint: String, counts: String, attached: Bool, reason: String? = nil) {
        self.program = program
        self.tracepoint = tracepoint
        self.counts = counts
        self.attached = attached
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case program, tracepoint, counts, attached, reason
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(program, forKey: .program)
        try container.encode(tracepoint, forKey: .tracepoint)
        try container.encode(counts, forKey: .counts)
        try container.encode(attached, forKey: .attached)
        try container.encode(reason, forKey: .reason)
    }
}

extension ProbeSource {
    init(_ program: ProbeProgram, attached: Bool, reason: String? = nil) {
        self.init(
            program: program.name, tracepoint: program.tracepoint, counts: program.counts,
            attached: attached, reason: reason)
    }
}
