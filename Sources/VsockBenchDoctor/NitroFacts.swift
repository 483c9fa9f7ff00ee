#if canImport(Glibc)
import Glibc
#endif
import VsockBenchSupport
import VsockProbe

/// Whether this looks like a Nitro parent instance, the enclaves running, the allocator's share.
public struct NitroFacts: Sendable, Equatable, Encodable {
    public var device: String
    public var devicePresent: Bool
    /// Where `nitro-cli` was found; nil when it is not installed (always so in the lab VM).
    public var nitroCLI: String?
    /// From `nitro-cli describe-enclaves`; nil when it was not run or failed.
    public var enclaves: [NitroEnclave]?
    public var enclavesError: String?
    public var allocatorFile: String
    public var allocator: NitroAllocatorConfig?
    public var allocatorError: String?

    public static func gather(_ environment: DoctorEnvironment) -> NitroFacts {
        let device = environment.dev("nitro_enclaves")
        var facts = NitroFacts(
            device: device, devicePresent: FileSystem.exists(device), nitroCLI: environment.findExecutable("nitro-cli"),
            allocatorFile: environment.etc("nitro_enclaves/allocator.yaml"))
        if let cli = facts.nitroCLI {
            do {
                let output = try CommandOutput.run(cli, ["describe-enclaves"], timeoutSeconds: environment.commandTimeoutSeconds)
                if output.timedOut {
                    facts.enclavesError = "nitro-cli describe-enclaves did not answer within \(environment.commandTimeoutSeconds) s"
                } else if output.status != 0 {
                    let said = output.stderr.split(separator: "\n").first.map { Terminal.safe(String($0)) } ?? ""
                    facts.enclavesError = "nitro-cli describe-enclaves exited \(output.status)\(said.isEmpty ? "" : ": \(said)")"
                } else {
                    facts.enclaves = try NitroEnclave.parseDescribeEnclaves(output.stdout)
                }
            } catch {
                facts.enclavesError = "nitro-cli describe-enclaves: \(error)"
            }
        }
        do {
            facts.allocator = try NitroAllocatorConfig.parse(try FileSystem.readText(facts.allocatorFile))
        } catch let error as ProbeError where error.errno == ENOENT {
            facts.allocatorError = "\(facts.allocatorFile) does not exist"
        } catch {
            facts.allocatorError = "\(error)"
        }
        return facts
    }

    init(device: String, devicePresent: Bool, nitroCLI: String?, allocatorFile: String) {
        self.device = device
        self.devicePresent = devicePresent
        self.nitroCLI = nitroCLI
        self.allocatorFile = allocatorFile
    }

    var checks: [DoctorCheck] {
        [parentCheck, enclavesCheck, allocatorCheck]
    }

    private var parentCheck: DoctorCheck {
        DoctorCheck.Template(id: "nitro_parent", group: .nitro, title: "Nitro parent").presence(
            devicePresent, ok: "\(device) exists: this is a Nitro parent instance; enclaves reach it at CID 3",
            missing: "no \(device): not a Nitro parent instance",
            advice: "for enclave figures use an EC2 instance with enclaves enabled (deploy/nitro/); here: the local target or the lab VM (scripts/vsock-lab/)")
    }

    private var enclavesCheck: DoctorCheck {
        let check = DoctorCheck.Template(id: "nitro_enclaves", group: .nitro, title: "enclaves")
        guard nitroCLI != nil else {
            return check(
                .missing, "nitro-cli not installed: running enclaves cannot be listed",
                advice: devicePresent
                    ? "install it: sudo dnf install aws-nitro-enclaves-cli (Amazon Linux), then add yourself to the ne group"
                    : "only useful on a Nitro parent (aws-nitro-enclaves-cli)")
        }
        if let enclavesError {
            return check(.warn, enclavesError, advice: "run nitro-cli describe-enclaves by hand (as a member of the ne group) to see why")
        }
        let enclaves = enclaves ?? []
        guard !enclaves.isEmpty else {
            return check(
                .warn, "nitro-cli lists no enclave",
                advice: "start one: deploy/nitro/start-enclave.sh (nitro-cli run-enclave ... --enclave-cid 16)")
        }
        let listed = enclaves.map { enclave in
            var text = "CID \(enclave.cid) \(enclave.state)"
            if let cpus = enclave.cpuCount { text += ", \(cpus) CPUs" }
            if let memory = enclave.memoryMiB { text += ", \(memory) MiB" }
            return text
        }
        let running = enclaves.filter { $0.state.uppercased() == "RUNNING" }
        let target = running.first.map { "; measure it with --target vsock://\($0.cid):5005" } ?? ""
        return check(
            running.isEmpty ? .warn : .ok, listed.joined(separator: "; ") + target,
            advice: running.isEmpty ? "no enclave is RUNNING: start one (deploy/nitro/start-enclave.sh)" : nil)
    }

    private var allocatorCheck: DoctorCheck {
        DoctorCheck.Template(id: "nitro_allocator", group: .nitro, title: "allocator").presence(
            allocator != nil, ok: "\(allocatorFile): \(allocator?.summary ?? "")",
            missing: allocatorError ?? "cannot read \(allocatorFile)",
            advice: devicePresent
                ? "write \(allocatorFile) (memory_mib, cpu_count), then systemctl enable --now nitro-enclaves-allocator"
                : "only on a Nitro parent: it reserves memory and CPUs for enclaves")
    }

    enum CodingKeys: String, CodingKey {
        case device, devicePresent = "device_present", nitroCLI = "nitro_cli", enclaves, enclavesError = "enclaves_error"
        case allocatorFile = "allocator_file", allocator, allocatorError = "allocator_error"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(device, forKey: .device)
        try container.encode(devicePresent, forKey: .devicePresent)
        try container.encode(nitroCLI, forKey: .nitroCLI)
        try container.encode(enclaves, forKey: .enclaves)
        try container.encode(enclavesError, forKey: .enclavesError)
        try container.encode(allocatorFile, forKey: .allocatorFile)
        try container.encode(allocator, forKey: .allocator)
        try container.encode(allocatorError, forKey: .allocatorError)
    }
}
