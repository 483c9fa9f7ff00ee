import VsockProbe
import VsockTransport

/// AF_VSOCK on this machine: the socket, the local CID, the transports loaded.
public struct VsockFacts: Sendable, Equatable, Encodable {
    /// The transport modules looked for in /sys/module, with what each one is for.
    public static let transportModules: [(name: String, role: String)] = [
        ("vmw_vsock_virtio_transport", "guest to host"),
        ("vhost_vsock", "host to guests"),
        ("vsock_loopback", "CID 1"),
        ("vmw_vsock_vmci_transport", "VMware"),
    ]

    public var support: VsockSupport
    /// The vsock character device's path and whether it exists.
    public var device: String
    public var devicePresent: Bool
    /// Module name to loaded (a directory in /sys/module).
    public var transports: [String: Bool]
    /// Whether this kernel loads modules (/proc/modules exists): where it does not, a transport
    /// is built in or absent, and `modprobe` is no advice.
    public var loadableModules = true

    public static func gather(_ environment: DoctorEnvironment) -> VsockFacts {
        let device = environment.dev("vsock")
        var transports: [String: Bool] = [:]
        for module in transportModules {
            transports[module.name] = FileSystem.isDirectory(environment.sys("module/\(module.name)"))
        }
        return VsockFacts(
            support: environment.vsockSupport ?? VsockSupport.inspect(device: device), device: device,
            devicePresent: FileSystem.exists(device), transports: transports,
            loadableModules: FileSystem.exists(environment.proc("modules")))
    }

    public var loopbackLoaded: Bool { transports["vsock_loopback"] == true }

    /// How to get `module`: `modprobe module`, or on a kernel that loads no modules, one built
    /// with it (`option`).
    func load(_ module: String, option: String) -> String {
        loadableModules ? "modprobe \(module)" : "a kernel with \(option)=y (this one loads no modules: no /proc/modules)"
    }

    func checks(nitroDevicePresent: Bool) -> [DoctorCheck] {
        [socketCheck, cidCheck(nitroDevicePresent: nitroDevicePresent), transportsCheck, loopbackCheck]
    }

    /// From 5.14 AF_VSOCK has SOCK_SEQPACKET (vsock+seqpacket:// endpoints).
    public static let seqpacketSince = (major: 5, minor: 14)

    /// Whether socket(AF_VSOCK, SOCK_SEQPACKET) works; `kernel` for the advice. Creating the
    /// socket says what this kernel offers; whether the transport to a given CID carries it
    /// (the virtio device's SEQPACKET feature, a peer kernel of 5.14+) shows only at connect.
    func seqpacketCheck(kernel: KernelFacts) -> DoctorCheck {
        let check = DoctorCheck.Template(id: "vsock_seqpacket", group: .vsock, title: "SOCK_SEQPACKET")
        let since = "\(Self.seqpacketSince.major).\(Self.seqpacketSince.minor)"
        let atConnect = "whether the transport to a CID carries it shows at connect (ESOCKTNOSUPPORT: a peer kernel before \(since), or a virtio device without the SEQPACKET feature)"
        guard support.socketSupported else {
            return check(
                .missing, "no AF_VSOCK, so no vsock+seqpacket:// either",
                advice: "load vsock (modprobe vsock); SOCK_SEQPACKET also needs Linux \(since)+; meanwhile unix+seqpacket:// keeps message boundaries locally")
        }
        switch support.seqpacketSupported {
        case true?:
            return check(.ok, "socket(AF_VSOCK, SOCK_SEQPACKET) works (created and closed; nothing connected): vsock+seqpacket://CID:PORT endpoints can be used", notes: [atConnect])
        case false?:
            let old = kernel.major.flatMap { major in kernel.minor.map { (major, $0) < Self.seqpacketSince } } == true
            return check(
                .missing, "socket(AF_VSOCK, SOCK_SEQPACKET) fails: \(support.seqpacketError ?? "unknown error")",
                advice: "AF_VSOCK SOCK_SEQPACKET needs Linux \(since)+" + (old ? " (this kernel is \(kernel.release))" : "") + "; use vsock:// (a stream with a frame header) here")
        case nil:
            return check(.warn, "not known whether AF_VSOCK offers SOCK_SEQPACKET here (not asked)", advice: "it needs Linux \(since)+; try run --target vsock+seqpacket://CID:PORT")
        }
    }

    private var socketCheck: DoctorCheck {
        DoctorCheck.Template(id: "af_vsock", group: .vsock, title: "AF_VSOCK").presence(
            support.socketSupported, ok: "socket(AF_VSOCK) works (created and closed; nothing connected)",
            missing: "socket(AF_VSOCK) fails: \(support.socketError ?? "unknown error")",
            advice: "load vsock (modprobe vsock, CONFIG_VSOCKETS); in a container, allow AF_VSOCK in its seccomp profile; meanwhile measure over unix:// or tcp://")
    }

    private func cidCheck(nitroDevicePresent: Bool) -> DoctorCheck {
        let check = DoctorCheck.Template(id: "local_cid", group: .vsock, title: "local CID")
        guard let cid = support.localCID else {
            let why = devicePresent ? support.localCIDError ?? "unknown error" : "\(device) does not exist"
            // The device is there but this user may not open it: a permission, not a module.
            if devicePresent, let error = support.localCIDError, error.contains("Permission denied") || error.contains("Operation not permitted") {
                return check(
                    .warn, "cannot read the local CID: \(why)",
                    advice: "\(device) exists but this user may not open it: run doctor as root, or give this user access to \(device) (its group or mode)")
            }
            return check(
                .missing, "cannot read the local CID: \(why)",
                advice: "load a vsock transport (\(load("vmw_vsock_virtio_transport", option: "CONFIG_VIRTIO_VSOCKETS")) in a guest, \(load("vhost_vsock", option: "CONFIG_VHOST_VSOCK")) on a host), which creates \(device)")
        }
        let meaning = LocalCID.meaning(of: cid, nitroDevicePresent: nitroDevicePresent)
        if cid == VsockSupport.noTransportCID && loopbackLoaded {
            return check(.warn, "VMADDR_CID_ANY (-1): no guest or host transport, only vsock_loopback: CID 1 is the one peer")
        }
        if cid == VsockSupport.noTransportCID {
            return check(
                .missing, meaning,
                advice: "\(load("vmw_vsock_virtio_transport", option: "CONFIG_VIRTIO_VSOCKETS")) (inside a guest or on a Nitro parent) or \(load("vhost_vsock", option: "CONFIG_VHOST_VSOCK")) (on a host)")
        }
        return check(cid <= 1 ? .warn : .ok, meaning)
    }

    private var transportsCheck: DoctorCheck {
        let loaded = Self.transportModules.filter { transports[$0.name] == true }
        let absent = Self.transportModules.filter { transports[$0.name] != true }.map(\.name)
        // /sys/module lists a loaded module, and a built-in one only when it has parameters:
        // "loaded" said of one built in was wrong, and "not loaded" of one built in may be.
        var detail = loaded.isEmpty ? "none in /sys/module" : "present (loaded, or built in): " + loaded.map { "\($0.name) (\($0.role))" }.joined(separator: ", ")
        if !absent.isEmpty { detail += "; not in /sys/module (not loaded; a built-in one may not show there): " + absent.joined(separator: ", ") }
        let carriers = loaded.filter { $0.name != "vsock_loopback" }
        let check = DoctorCheck.Template(id: "vsock_transports", group: .vsock, title: "transports")
        let advice = "nothing carries vsock off this machine: \(load("vmw_vsock_virtio_transport", option: "CONFIG_VIRTIO_VSOCKETS")) (guest) or \(load("vhost_vsock", option: "CONFIG_VHOST_VSOCK")) (host)"
        // A local CID other than -1 is a registered guest (or host) transport, whatever
        // /sys/module shows: a built-in one without parameters does not show there ("nothing
        // carries vsock off this machine" beside local CID 3, review).
        if carriers.isEmpty, let cid = support.localCID, cid != VsockSupport.noTransportCID, cid > 1 {
            return check(.ok, "a transport is registered (local CID \(cid)), built in: " + detail)
        }
        if carriers.isEmpty && loopbackLoaded { return check(.warn, detail, advice: advice) }
        return check.presence(!carriers.isEmpty, ok: detail, missing: detail, advice: advice)
    }

    private var loopbackCheck: DoctorCheck {
        DoctorCheck.Template(id: "vsock_loopback", group: .vsock, title: "loopback (CID 1)").presence(
            loopbackLoaded,
            ok: "vsock_loopback loaded: run --target vsock://local:PORT reaches serve --listen vsock://any:PORT here",
            missing: "vsock_loopback not loaded: vsock://local:PORT cannot connect here",
            advice: "\(load("vsock_loopback", option: "CONFIG_VSOCKETS_LOOPBACK")) (Linux 5.6+) for real vsock on one machine, or use the lab VM (scripts/vsock-lab/lab.sh)")
    }

    enum CodingKeys: String, CodingKey {
        case afVsock = "af_vsock", socketError = "socket_error", device, devicePresent = "device_present"
        case localCID = "local_cid", localCIDError = "local_cid_error", transports, loopback
        case bufferSize = "buffer_size", bufferMinSize = "buffer_min_size", bufferMaxSize = "buffer_max_size"
        case seqpacket, seqpacketError = "seqpacket_error", loadableModules = "loadable_modules"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(support.socketSupported, forKey: .afVsock)
        try container.encode(support.socketError, forKey: .socketError)
        try container.encode(device, forKey: .device)
        try container.encode(devicePresent, forKey: .devicePresent)
        try container.encode(support.localCID, forKey: .localCID)
        try container.encode(support.localCIDError, forKey: .localCIDError)
        try container.encode(transports, forKey: .transports)
        try container.encode(loopbackLoaded, forKey: .loopback)
        try container.encode(support.bufferSize, forKey: .bufferSize)
        try container.encode(support.bufferMinSize, forKey: .bufferMinSize)
        try container.encode(support.bufferMaxSize, forKey: .bufferMaxSize)
        try container.encode(support.seqpacketSupported, forKey: .seqpacket)
        try container.encode(support.seqpacketError, forKey: .seqpacketError)
        try container.encode(loadableModules, forKey: .loadableModules)
    }
}
