#if canImport(Glibc)
import Glibc
#endif
import VsockTransport

/// Whether /dev/kvm can run guests here, which decides where VM-exit figures can come from.
public struct KVMFacts: Sendable, Equatable, Encodable {
    /// KVM_GET_API_VERSION = _IO(0xAE, 0x00); every KVM since 2.6.22 answers 12.
    public static let getAPIVersion: UInt = 0xAE00
    public static let expectedAPIVersion: Int32 = 12

    public var device: String
    public var devicePresent: Bool
    /// What KVM_GET_API_VERSION returned; nil when the device could not be opened or asked.
    public var apiVersion: Int32?
    public var error: String?

    public static func gather(_ environment: DoctorEnvironment) -> KVMFacts {
        let device = environment.dev("kvm")
        var facts = KVMFacts(device: device, devicePresent: access(device, F_OK) == 0)
        guard facts.devicePresent else { return facts }
        do {
            facts.apiVersion = try Posix.withOpened(device, O_RDWR) { (descriptor) throws(SystemError) -> Int32 in
                try Posix.ioctl(descriptor, Self.getAPIVersion, nil, label: "KVM_GET_API_VERSION")
            }
        } catch {
            facts.error = error.call == "open" ? "open \(device) read-write: \(error.reason)" : "KVM_GET_API_VERSION on \(device): \(error.reason)"
        }
        return facts
    }

    init(device: String, devicePresent: Bool, apiVersion: Int32? = nil, error: String? = nil) {
        self.device = device
        self.devicePresent = devicePresent
        self.apiVersion = apiVersion
        self.error = error
    }

    public var usable: Bool { apiVersion == Self.expectedAPIVersion }

    func checks(nitroParent: Bool) -> [DoctorCheck] {
        [deviceCheck, exitSourceCheck(nitroParent: nitroParent)]
    }

    private var deviceCheck: DoctorCheck {
        let check = DoctorCheck.Template(id: "kvm", group: .kvm, title: "/dev/kvm")
        if usable {
            return check(.ok, "opens read-write, KVM_GET_API_VERSION \(Self.expectedAPIVersion): guests (and KVM_RUN counts) work here")
        }
        guard devicePresent else {
            return check(
                .missing, "no \(device): this machine runs no KVM guests",
                advice: "only needed to count KVM_RUN on a host that runs guests: modprobe kvm_intel or kvm_amd (with virtualization enabled)")
        }
        if let apiVersion {
            return check(
                .warn, "\(device) answers KVM_GET_API_VERSION \(apiVersion), not \(Self.expectedAPIVersion)",
                advice: "a KVM this old or odd is not supported")
        }
        // There, but not this user's to open: a permission, not a missing device (as the local
        // CID's check says of /dev/vsock).
        if let error, error.contains("Permission denied") || error.contains("Operation not permitted") {
            return check(.warn, "\(error): \(device) exists but this user may not open it",
                         advice: "run as root or join the group that owns \(device) (usually kvm)")
        }
        return check(
            .missing, error ?? "\(device) is not usable",
            advice: "run as root or join the group that owns \(device) (usually kvm)")
    }

    private func exitSourceCheck(nitroParent: Bool) -> DoctorCheck {
        let check = DoctorCheck.Template(id: "vm_exit_source", group: .kvm, title: "VM exits")
        if nitroParent {
            return check(
                .warn, "a Nitro parent creates enclaves through /dev/nitro_enclaves, not KVM: there is no KVM_RUN to count here",
                advice: "read the labelled proxies instead: vsock packets, vsock_irqs (virtio notifications in) and virtqueue_kicks (out)")
        }
        if usable {
            return check(
                .ok, "KVM_RUN counts the entries of guests run here; kvm_exit their exits where this host's KVM fires it",
                notes: ["kvm_exit attaches wherever KVM is, but some hosts never fire it (a PVM or nested hypervisor): the probe then counts KVM_RUN (exits_source kvm_run)",
                        "a Nitro parent has no KVM_RUN: there exits come from virtio notification proxies"])
        }
        // A /dev/kvm this user may not open is KVM all the same: the exits are there to count
        // as root (it read "no usable KVM here" to a non-root user, review).
        if devicePresent, let error, error.contains("Permission denied") || error.contains("Operation not permitted") {
            return check(
                .warn, "\(device) is here but not this user's to open: as root (or in its group) KVM_RUN counts the guests run here, and kvm_exit their exits where this host's KVM fires it",
                advice: "run as root or join the group that owns \(device) (usually kvm)")
        }
        return check(
            .warn, "no usable KVM here: exits can only come from virtio notification proxies (vsock_irqs, virtqueue_kicks), as on a Nitro parent",
            advice: "count KVM_RUN on the machine that runs the guest")
    }

    enum CodingKeys: String, CodingKey {
        case device, devicePresent = "device_present", apiVersion = "api_version", usable, error
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(device, forKey: .device)
        try container.encode(devicePresent, forKey: .devicePresent)
        try container.encode(apiVersion, forKey: .apiVersion)
        try container.encode(usable, forKey: .usable)
        try container.encode(error, forKey: .error)
    }
}
