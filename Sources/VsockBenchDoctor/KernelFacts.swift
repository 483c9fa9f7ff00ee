import VsockBenchSupport
import VsockTransport

/// The kernel release and what it implies for vsock figures.
public struct KernelFacts: Sendable, Equatable, Encodable {
    public var release: String
    /// Major and minor of the release; nil when it does not start with `N.N`.
    public var major: Int?
    public var minor: Int?
    /// Why socket(AF_UNIX, SOCK_SEQPACKET) failed; nil when it works (Linux always has it).
    public var unixSeqpacketError: String?

    /// From 5.4 ("vsock/virtio: reduce credit update messages") the receiver sends a credit
    /// update only when its free space falls below 64 KiB; before, one on every read.
    public static let fewerCreditUpdates = (major: 5, minor: 4)

    public init(release: String) {
        self.release = release
        let numbers = release.split(whereSeparator: { !$0.isNumber }).prefix(2).compactMap { Int($0) }
        let shaped = release.first?.isNumber == true && numbers.count == 2
        major = shaped ? numbers[0] : nil
        minor = shaped ? numbers[1] : nil
    }

    public static func gather(_ environment: DoctorEnvironment) -> KernelFacts {
        var facts = KernelFacts(release: environment.kernelRelease ?? HostFacts.current().kernel)
        switch environment.unixSeqpacket ?? SocketAnswer(problem: UnixSocketSupport.seqpacketProblem()) {
        case .works: facts.unixSeqpacketError = nil
        case let .fails(why): facts.unixSeqpacketError = why
        }
        return facts
    }

    /// unix+seqpacket:// (AF_UNIX SOCK_SEQPACKET) works here.
    public var unixSeqpacket: Bool { unixSeqpacketError == nil }

    /// True before 5.4; nil when the release cannot be read.
    public var creditUpdateOnEveryRead: Bool? {
        guard let major, let minor else { return nil }
        return (major, minor) < Self.fewerCreditUpdates
    }

    var checks: [DoctorCheck] { [releaseCheck, unixSeqpacketCheck] }

    private var unixSeqpacketCheck: DoctorCheck {
        DoctorCheck.Template(id: "unix_seqpacket", group: .kernel, title: "unix SOCK_SEQPACKET").presence(
            unixSeqpacket,
            ok: "socket(AF_UNIX, SOCK_SEQPACKET) works: unix+seqpacket:///path keeps message boundaries locally (one packet per frame)",
            missing: "socket(AF_UNIX, SOCK_SEQPACKET) fails: \(unixSeqpacketError ?? "unknown error")",
            advice: "Linux has had it for decades: a seccomp profile or a sandbox may refuse it; use unix:// (stream) instead")
    }

    private var releaseCheck: DoctorCheck {
        let check = DoctorCheck.Template(id: "kernel", group: .kernel, title: "release")
        let enclaveNote = ["the enclave's kernel matters too (Nitro's was long 4.14); `run` records both"]
        switch creditUpdateOnEveryRead {
        case .none:
            return check(
                .warn, "\(release): not a release number doctor can read; a kernel before 5.4 sends a vsock credit update on every read",
                advice: "check the version by hand (uname -r)")
        case .some(true):
            return check(
                .warn, "\(release) is before 5.4: a vsock credit update is sent on every read, one more packet per read",
                advice: "compare figures only between the same pair of kernels; count CREDIT_UPDATE packets with --probe",
                notes: enclaveNote)
        case .some(false):
            return check(
                .ok, "\(release) is 5.4+: not every read sends a vsock credit update (how often depends on backports; --probe counts them)",
                notes: enclaveNote + ["seen in the lab's 6.1 guest: a read that empties the receive queue still sends one (2 per rr message)"])
        }
    }

    enum CodingKeys: String, CodingKey {
        case release, major, minor, creditUpdateOnEveryRead = "credit_update_on_every_read"
        case unixSeqpacket = "unix_seqpacket", unixSeqpacketError = "unix_seqpacket_error"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(release, forKey: .release)
        try container.encode(major, forKey: .major)
        try container.encode(minor, forKey: .minor)
        try container.encode(creditUpdateOnEveryRead, forKey: .creditUpdateOnEveryRead)
        try container.encode(unixSeqpacket, forKey: .unixSeqpacket)
        try container.encode(unixSeqpacketError, forKey: .unixSeqpacketError)
    }
}
