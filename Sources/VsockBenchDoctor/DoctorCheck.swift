/// How one fact of the machine stands for measuring vsock: `ok`, `warn` (works, with a caveat
/// that changes what the figures mean) or `missing` (a capability the user may want is absent).
/// Doctor reports; it does not judge, so no status changes the exit code.
public enum DoctorStatus: String, Sendable, Equatable, Encodable, CaseIterable {
    case ok
    case warn
    case missing
}

/// The sections of the report, in screen order.
public enum DoctorGroup: String, Sendable, Equatable, Encodable, CaseIterable {
    case vsock
    case nitro
    case kernel
    case socketBuffers = "socket_buffers"
    case bpf
    case kvm

    public var title: String {
        switch self {
        case .vsock: "vsock"
        case .nitro: "Nitro Enclaves"
        case .kernel: "kernel"
        case .socketBuffers: "socket buffers"
        case .bpf: "BPF probe"
        case .kvm: "KVM and VM exits"
        }
    }
}

/// One line of the report: what was looked at, what was found, and what to do about it.
public struct DoctorCheck: Sendable, Equatable, Encodable {
    /// Stable snake_case key of the JSON `checks` object (`af_vsock`, `local_cid`...).
    public var id: String
    public var group: DoctorGroup
    /// A short label for the screen's second column.
    public var title: String
    public var status: DoctorStatus
    /// What was found, in one sentence or two.
    public var detail: String
    /// What to do about it; nil when there is nothing to do.
    public var advice: String?
    /// Further lines of detail, one item each (the probe programs that would not attach).
    public var notes: [String]

    public init(
        id: String, group: DoctorGroup, title: String, status: DoctorStatus, detail: String, advice: String? = nil,
        notes: [String] = []
    ) {
        self.id = id
        self.group = group
        self.title = title
        self.status = status
        self.detail = detail
        self.advice = advice
        self.notes = notes
    }

    enum CodingKeys: String, CodingKey {
        case group, title, status, detail, advice, notes
    }

    /// `advice` is written as null rather than left out: every check has the same keys.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(group, forKey: .group)
        try container.encode(title, forKey: .title)
        try container.encode(status, forKey: .status)
        try container.encode(detail, forKey: .detail)
        try container.encode(advice, forKey: .advice)
        try container.encode(notes, forKey: .notes)
    }
}

extension DoctorCheck {
    /// The fixed part of a check (id, group, title); calling it with a status, a detail and
    /// advice makes the line.
    struct Template {
        var id: String
        var group: DoctorGroup
        var title: String

        func callAsFunction(_ status: DoctorStatus, _ detail: String, advice: String? = nil, notes: [String] = []) -> DoctorCheck {
            DoctorCheck(id: id, group: group, title: title, status: status, detail: detail, advice: advice, notes: notes)
        }

        /// Ok with `ok` when `present`, else missing with `missing` and `advice`.
        func presence(_ present: Bool, ok: String, missing: String, advice: String) -> DoctorCheck {
            present ? self(.ok, ok) : self(.missing, missing, advice: advice)
        }
    }
}
