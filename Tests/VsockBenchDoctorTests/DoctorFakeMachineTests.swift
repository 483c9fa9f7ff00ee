import Foundation
import Testing
import VsockProbe

@testable import VsockTransport
@testable import VsockBenchDoctor

/// Doctor on fake trees: each situation a user can be in, without needing that machine.
@Suite struct DoctorFakeMachineTests {
    static let describeEnclaves = """
        [
          {
            "EnclaveName": "vsockbench",
            "EnclaveID": "i-0123456789abcdef0-enc0123456789abcdef",
            "ProcessID": 4242,
            "EnclaveCID": 16,
            "NumberOfCPUs": 2,
            "CPUIDs": [1, 3],
            "MemoryMiB": 2048,
            "State": "RUNNING",
            "Flags": "DEBUG_MODE"
          }
        ]
        """

    @Test("a Nitro-like parent: the device, the enclaves from nitro-cli, the allocator, CID 3, no KVM_RUN")
    func nitroParent() throws {
        let machine = try FakeMachine()
        try machine.makeNitroParent(enclavesJSON: Self.describeEnclaves)
        let report = machine.report()

        #expect(report.nitro.devicePresent)
        #expect(report.nitro.enclaves == [NitroEnclave(name: "vsockbench", cid: 16, state: "RUNNING", cpuCount: 2, memoryMiB: 2048)])
        #expect(report.nitro.allocator == NitroAllocatorConfig(memoryMiB: 4096, cpuCount: 4))
        #expect(try report.required("nitro_parent").status == .ok)
        let enclaves = try report.required("nitro_enclaves")
        #expect(enclaves.status == .ok)
        #expect(enclaves.detail.contains("CID 16 RUNNING, 2 CPUs, 2048 MiB"))
        #expect(enclaves.detail.contains("--target vsock://16:5005"))
        #expect(try report.required("nitro_allocator").detail.contains("memory_mib 4096, cpu_count 4"))
        #expect(try report.required("local_cid").detail.hasPrefix("3: a Nitro parent instance"))
        let exits = try report.required("vm_exit_source")
        #expect(exits.status == .warn)
        #expect(exits.detail.contains("no KVM_RUN"))
        #expect(exits.advice?.contains("vsock_irqs") == true)
        #expect(try report.required("kvm").status == .missing)
    }

    @Test("a Nitro parent with nitro-cli listing nothing, or failing: warn with what to do")
    func nitroParentWithoutEnclaves() throws {
        let machine = try FakeMachine()
        try machine.makeNitroParent(enclavesJSON: "[]")
        let empty = try machine.report().required("nitro_enclaves")
        #expect(empty.status == .warn)
        #expect(empty.advice?.contains("nitro-cli run-enclave") == true)

        try machine.write("bin/nitro-cli", "#!/bin/sh\necho 'E19 permission denied' >&2\nexit 1\n", executable: true)
        let failing = try machine.report().required("nitro_enclaves")
        #expect(failing.status == .warn)
        #expect(failing.detail == "nitro-cli describe-enclaves exited 1: E19 permission denied")
    }

    @Test("not a Nitro parent, no nitro-cli (as in a busybox initramfs): missing with advice, nothing run")
    func notNitro() throws {
        let machine = try FakeMachine()
        let report = machine.report()
        #expect(!report.nitro.devicePresent && report.nitro.nitroCLI == nil && report.nitro.enclaves == nil)
        for id in ["nitro_parent", "nitro_enclaves", "nitro_allocator"] {
            let check = try report.required(id)
            #expect(check.status == .missing, "\(id)")
            #expect(check.advice?.isEmpty == false, "\(id)")
        }
        #expect(try report.required("local_cid").detail.hasPrefix("16: a guest VM, typical of a Nitro enclave"))
    }

    @Test("a 4.14 kernel gives the credit-update warning; 5.4 and later do not", arguments: [
        ("4.14.256-209.484.amzn2.x86_64", DoctorStatus.warn), ("5.3.18", .warn), ("5.4.0", .ok), ("6.18.44-fc-v669", .ok),
    ])
    func kernelRelease(release: String, status: DoctorStatus) throws {
        let machine = try FakeMachine()
        machine.kernelRelease = release
        let check = try machine.report().required("kernel")
        #expect(check.status == status)
        #expect(check.detail.contains("credit update is sent on every read") == (status == .warn))
        #expect(check.notes.contains { $0.contains("4.14") })
    }

    @Test("no root (CapEff 0) and no tracefs: each says what is missing and what to do")
    func noPrivilegesNoTracefs() throws {
        let machine = try FakeMachine()
        machine.effectiveUID = 1000
        machine.bpfSyscall = nil
        try machine.write("proc/self/status", "Name:\tvsockbench\nCapEff:\t0000000000000000\n")
        let report = machine.report()

        let privileges = try report.required("bpf_privileges")
        #expect(privileges.status == .missing)
        #expect(privileges.detail.contains("euid 1000, CapEff 0x0000000000000000"))
        #expect(privileges.advice?.contains("setcap cap_bpf,cap_perfmon,cap_dac_read_search+ep") == true)
        // This binary, not a literal PATH.
        let executable = try #require(FileSystem.currentExecutable())
        #expect(privileges.advice?.contains("+ep \(executable) ") == true, "\(privileges.advice ?? "")")
        let bpf = try report.required("bpf_syscall")
        #expect(bpf.status == .warn && bpf.detail.hasPrefix("not tried"))
        let tracefs = try report.required("tracefs")
        #expect(tracefs.status == .missing)
        #expect(tracefs.advice?.contains("mount -t tracefs nodev /sys/kernel/tracing") == true)
        let programs = try report.required("probe_programs")
        #expect(programs.status == .missing)
        #expect(report.bpf.programs == nil)
        #expect(!report.bpf.probeReady)

        let screen = DoctorScreen.render(report)
        #expect(screen.contains("  missing privileges"))
        #expect(screen.contains("  missing tracefs"))
        #expect(screen.contains("-> run as root (sudo)"))
        #expect(screen.contains("-> mount -t tracefs nodev /sys/kernel/tracing"))
    }

    /// Where bpf() is refused, or root's set lacks the capabilities, no program can load,
    /// whatever tracefs says would attach ("9 of 11 would attach" beside a refused bpf(), review).
    @Test("without bpf() or the privileges, no probe program is said to attach")
    func programsNeedBPFAndPrivileges() throws {
        let machine = try FakeMachine()
        try machine.write("sys/kernel/tracing/events/README", "")
        #expect(try machine.report().required("probe_programs").detail.contains("would attach:"))
        machine.bpfSyscall = .unavailable(missing: "a working bpf() system call (Operation not permitted)", howToFix: "-")
        let refused = try machine.report().required("probe_programs")
        #expect(refused.status == .missing && refused.detail.hasPrefix("none can load: bpf() does not work here"), "\(refused.detail)")
        let rootWithout = try FakeMachine()
        try rootWithout.write("sys/kernel/tracing/events/README", "")
        rootWithout.bpfSyscall = nil
        try rootWithout.write("proc/self/status", "Name:\tvsockbench\nCapEff:\t00000000a80425fb\n")
        let report = rootWithout.report()
        let programs = try report.required("probe_programs")
        #expect(programs.status == .missing && programs.detail.hasPrefix("none can load: this process lacks the privileges"), "\(programs.detail)")
        #expect(try report.required("bpf_syscall").advice?.contains("give this root CAP_BPF+CAP_PERFMON") == true)
    }

    /// The host name is the machine's word, not ours: printed through Terminal.safe (an escape
    /// sequence or a newline in it reached the screen raw, review).
    @Test("the screen prints the host name safely")
    func hostnameIsSanitised() throws {
        var report = try FakeMachine().report()
        report.hostname = "ev\u{1b}[31mil\nfake line"
        let first = DoctorScreen.render(report).split(separator: "\n").first.map(String.init) ?? ""
        #expect(!first.contains("\u{1b}") && first.contains("fake line"), "\(first)")
    }

    /// A kernel that loads no modules (no /proc/modules) is not told to modprobe: the advice
    /// names the kernel option a transport needs built in.
    @Test("without loadable modules, the advice is a kernel option, not modprobe")
    func noLoadableModules() throws {
        let machine = try FakeMachine()
        #expect(try machine.report().required("vsock_loopback").advice?.hasPrefix("modprobe vsock_loopback") == true)
        try machine.remove("proc/modules")
        let report = machine.report()
        let loopback = try report.required("vsock_loopback")
        #expect(loopback.advice?.hasPrefix("a kernel with CONFIG_VSOCKETS_LOOPBACK=y (this one loads no modules: no /proc/modules)") == true, "\(String(describing: loopback.advice))")
        #expect(!report.checks.contains { $0.advice?.contains("modprobe vsock_loopback") == true || $0.advice?.contains("modprobe vhost") == true })
        #expect(report.vsock.loadableModules == false)
    }

    /// A tracefs /proc/mounts lists but this user cannot read (root's alone, mode 0700): not
    /// "missing, mount it", which a user granted the two capabilities was told.
    @Test("a tracefs mounted but unreadable says so, and how to read it")
    func tracefsMountedButUnreadable() throws {
        let machine = try FakeMachine()
        machine.effectiveUID = 1000
        try machine.write("proc/self/status", "Name:\tvsockbench\nCapEff:\t000000c000000000\n")
        try machine.write("proc/mounts", "sysfs /sys sysfs rw 0 0\nnodev /sys/kernel/tracing tracefs rw,relatime 0 0\n")
        let report = machine.report()
        let tracefs = try report.required("tracefs")
        #expect(tracefs.status == .missing)
        #expect(tracefs.detail.hasPrefix("mounted at \(machine.root.appending(path: "sys/kernel/tracing").path), but this user cannot read it"), "\(tracefs.detail)")
        #expect(tracefs.advice?.contains("cap_dac_read_search") == true, "\(String(describing: tracefs.advice))")
        #expect(tracefs.advice?.contains("mount -t tracefs") == false)
        #expect(try report.required("probe_programs").detail.contains("which this user cannot read"))
        #expect(report.bpf.tracefsUnreadable != nil)
        // Root that cannot read it is not told "root's alone" (review).
        machine.effectiveUID = 0
        try machine.write("proc/self/status", "Name:\tvsockbench\nCapEff:\t000000c000200000\n")
        let asRoot = try machine.report().required("tracefs")
        #expect(asRoot.detail.contains("this process cannot read it (root without CAP_DAC_READ_SEARCH") && !asRoot.detail.contains("root's alone"), "\(asRoot.detail)")
        machine.effectiveUID = 1000
        try machine.write("proc/self/status", "Name:\tvsockbench\nCapEff:\t000000c000000000\n")
        // Nothing listed: missing, mount it, as before.
        try machine.write("proc/mounts", "sysfs /sys sysfs rw 0 0\n")
        let unmounted = try machine.report().required("tracefs")
        #expect(unmounted.advice?.contains("mount -t tracefs nodev /sys/kernel/tracing") == true)
    }

    @Test("CAP_BPF with CAP_PERFMON is enough without root; a broken bpf() is missing with advice")
    func capabilitiesAndBrokenBPF() throws {
        let machine = try FakeMachine()
        machine.effectiveUID = 1000
        try machine.write("proc/self/status", "CapEff:\t000000c000000000\n")
        machine.bpfSyscall = .unavailable(missing: "a working bpf() system call (Operation not permitted)", howToFix: "allow bpf in seccomp")
        let report = machine.report()
        #expect(try report.required("bpf_privileges").status == .ok)
        #expect(try report.required("bpf_privileges").detail.hasPrefix("CAP_BPF+CAP_PERFMON"))
        let bpf = try report.required("bpf_syscall")
        #expect(bpf.status == .missing)
        #expect(bpf.advice == "allow bpf in seccomp")
    }

    @Test("no AF_VSOCK, no /dev/vsock, no transport: missing, each with what to load")
    func noVsock() throws {
        let machine = try FakeMachine()
        machine.vsock = VsockSupport(
            socketSupported: false, socketError: "socket (AF_VSOCK): Address family not supported by protocol (errno 97)",
            localCIDError: "open: No such file or directory")
        try machine.remove("dev/vsock")
        try machine.remove("sys/module/vmw_vsock_virtio_transport")
        let report = machine.report()
        let socket = try report.required("af_vsock")
        #expect(socket.status == .missing && socket.detail.contains("errno 97") && socket.advice?.contains("modprobe vsock") == true)
        let cid = try report.required("local_cid")
        #expect(cid.status == .missing && cid.detail.contains("/dev/vsock does not exist"))
        #expect(try report.required("vsock_transports").status == .missing)
        #expect(try report.required("vsock_buffer").status == .warn)
    }

    @Test("a /dev/vsock this user may not open is a permission to grant, not a module to load")
    func deviceWithoutPermission() throws {
        let machine = try FakeMachine()
        machine.vsock.localCID = nil
        machine.vsock.localCIDError = "open /dev/vsock: Permission denied (errno 13)"
        let cid = try machine.report().required("local_cid")
        #expect(cid.status == .warn)
        #expect(cid.advice?.contains("run doctor as root") == true, "\(cid)")
        #expect(cid.advice?.contains("modprobe") == false)
    }

    @Test("VMADDR_CID_ANY means no transport; with vsock_loopback (the lab VM) CID 1 still works")
    func noTransportAndLoopback() throws {
        let machine = try FakeMachine()
        machine.vsock.localCID = VsockSupport.noTransportCID
        try machine.remove("sys/module/vmw_vsock_virtio_transport")
        let bare = machine.report()
        let cid = try bare.required("local_cid")
        #expect(cid.status == .missing && cid.detail.hasPrefix("VMADDR_CID_ANY (-1)"))
        #expect(cid.advice?.contains("vmw_vsock_virtio_transport") == true)
        #expect(try bare.required("vsock_transports").status == .missing)
        #expect(try bare.required("vsock_loopback").status == .missing)

        try machine.directory("sys/module/vsock_loopback")
        let lab = machine.report()
        #expect(lab.vsock.transports["vsock_loopback"] == true)
        #expect(try lab.required("vsock_loopback").status == .ok)
        #expect(try lab.required("local_cid").status == .warn)
        #expect(try lab.required("local_cid").detail.contains("CID 1 is the one peer"))
        #expect(try lab.required("vsock_transports").status == .warn)
        // /sys/module shows a built-in module only when it has parameters: "present", not
        // "loaded", and an absent one is "not in /sys/module", not "not loaded" (review).
        let transports = try lab.required("vsock_transports").detail
        #expect(transports.hasPrefix("present (loaded, or built in): vsock_loopback"), "\(transports)")
        #expect(transports.contains("not in /sys/module (not loaded; a built-in one may not show there): "), "\(transports)")
    }

    /// A built-in transport without parameters is not in /sys/module, but the local CID shows
    /// it is registered: not "nothing carries vsock off this machine" (review).
    @Test("a guest CID means a transport, whatever /sys/module shows")
    func builtInTransport() throws {
        let machine = try FakeMachine()
        machine.vsock.localCID = 3
        try machine.remove("sys/module/vmw_vsock_virtio_transport")
        let transports = try machine.report().required("vsock_transports")
        #expect(transports.status == .ok && transports.detail.hasPrefix("a transport is registered (local CID 3), built in"), "\(transports.detail)")
    }

    @Test("socket buffer sysctls are read from /proc/sys; unreadable ones are a warning")
    func socketBuffers() throws {
        let machine = try FakeMachine()
        let report = machine.report()
        #expect(report.socketBuffers.core == ["rmem_default": 212_992, "wmem_default": 212_992, "rmem_max": 4_194_304, "wmem_max": 4_194_304])
        #expect(report.socketBuffers.tcpRmem == [4096, 131_072, 6_291_456])
        #expect(try report.required("vsock_buffer").detail.hasPrefix("256KiB (min 128B, max 256KiB)"))
        #expect(try report.required("net_core_buffers").detail == "rmem_default 208KiB, wmem_default 208KiB, rmem_max 4MiB, wmem_max 4MiB")

        try machine.remove("proc/sys/net/core/rmem_max")
        try machine.remove("proc/sys/net/ipv4/tcp_wmem")
        let partial = machine.report()
        #expect(try partial.required("net_core_buffers").status == .warn)
        #expect(try partial.required("tcp_buffers").status == .warn)
    }

    @Test("the JSON document: schema, every check with the same keys, facts by section")
    func jsonKeysAreStable() throws {
        let machine = try FakeMachine()
        try machine.makeNitroParent(enclavesJSON: Self.describeEnclaves)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(machine.report().encoded())) as? [String: Any])
        try DoctorJSONShape.expectStable(object)
        let facts = try #require(object["facts"] as? [String: Any])
        let nitro = try #require(facts["nitro"] as? [String: Any])
        let enclave = try #require((nitro["enclaves"] as? [[String: Any]])?.first)
        #expect(Set(enclave.keys) == ["name", "cid", "state", "cpu_count", "memory_mib"])
        #expect(enclave["cid"] as? Int == 16)
    }

    @Test("vsock tracepoints whose arguments differ: the programs are off with the argument sentence and the layout advice, not modprobe")
    func vsockArgumentsDiffer() throws {
        let machine = try FakeMachine()
        let common = """
            format:
            \tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
            \tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;

            """
        // type and op swapped; the rest as Linux 6.1 has them.
        let fields = [("src_cid", 4), ("src_port", 4), ("dst_cid", 4), ("dst_port", 4), ("len", 4), ("op", 2), ("type", 2), ("flags", 4)]
        var offset = 8
        var lines = ""
        for (name, size) in fields + [("buf_alloc", 4), ("fwd_cnt", 4)] {
            lines += "\tfield:__u\(size * 8) \(name);\toffset:\(offset);\tsize:\(size);\tsigned:0;\n"
            offset += size
        }
        try machine.write("sys/kernel/tracing/events/vsock/virtio_transport_recv_pkt/format", common + lines)
        try machine.write(
            "sys/kernel/tracing/events/vsock/virtio_transport_alloc_pkt/format",
            common + lines.split(separator: "\n").prefix(8).joined(separator: "\n") + "\n")
        let report = machine.report()
        let tx = try #require(report.bpf.programs?.first { $0.program == "count_vsock_tx" })
        #expect(!tx.attached)
        #expect(tx.reason?.contains("argument 6 is `op` (size 2), the program reads `type` (size 2)") == true, "\(tx)")
        let programs = try report.required("probe_programs")
        #expect(programs.status == .warn)
        #expect(programs.advice?.contains("tracepoint arguments differ") == true, "\(programs.advice ?? "")")
        #expect(programs.advice?.contains("modprobe vmw_vsock_virtio_transport") == false, "the tracepoints are there")
    }
}
