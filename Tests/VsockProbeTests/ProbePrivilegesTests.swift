#if canImport(Glibc)
import Glibc
#endif
import Testing

@testable import VsockProbe

@Suite struct ProbePrivilegesTests {
    @Test("CapEff is read from a status text; CAP_BPF+CAP_PERFMON or CAP_SYS_ADMIN suffice, root only with them", arguments: [
        (UInt32(0), "CapEff:\t000001ffffffffff", true, "root"),
        // Root whose set was cut (a container): the kernel checks the capabilities, not the uid.
        (0, "CapEff:\t00000000a80425fb", false, nil),
        (0, "CapEff:\t0000000000000000", false, nil),
        // No mask to read: the uid decides.
        (0, "no such line", true, "root"),
        (1000, "Name:\tx\nCapEff:\t000000c000000000\nCapBnd:\t000001ffffffffff", true, "CAP_BPF+CAP_PERFMON"),
        (1000, "CapEff:\t0000000000200000", true, "CAP_SYS_ADMIN"),
        (1000, "CapEff:\t0000008000000000", false, nil),
        (1000, "CapEff:\t0000000000000000", false, nil),
        (1000, "no such line", false, nil),
    ])
    func privileges(uid: UInt32, status: String, sufficient: Bool, grantedBy: String?) {
        let privileges = ProbePrivileges(effectiveUID: uid, status: status)
        #expect(privileges.sufficient == sufficient)
        #expect(privileges.grantedBy == grantedBy)
        #expect((Probe.checkPrivileges(privileges) == .available) == sufficient)
        if uid == 0, !sufficient, case let .unavailable(missing, _) = Probe.checkPrivileges(privileges) {
            #expect(missing.contains("runs as root without them"), "\(missing)")
        }
    }

    /// The advice said `sudo setcap ... PATH`, a literal PATH: it names the running binary.
    @Test("the setcap advice names this executable, quoted where a shell would split it")
    func setcapNamesTheExecutable() throws {
        let executable = try #require(FileSystem.currentExecutable())
        #expect(executable.hasPrefix("/") && FileSystem.exists(executable), "\(executable)")
        guard case let .unavailable(_, howToFix) = Probe.checkPrivileges(ProbePrivileges(effectiveUID: 1000, effectiveCapabilities: 0)) else {
            Issue.record("an unprivileged user was not refused")
            return
        }
        #expect(howToFix.contains("sudo setcap cap_bpf,cap_perfmon,cap_dac_read_search+ep \(executable) "), "\(howToFix)")
        #expect(!howToFix.contains(" PATH"), "\(howToFix)")
        #expect(Probe.unreadableTracefsFix.hasSuffix("+ep \(executable)"), "\(Probe.unreadableTracefsFix)")
        #expect(Probe.setcapCommand(executable: "/opt/my tools/it's") == "sudo setcap cap_bpf,cap_perfmon,cap_dac_read_search+ep '/opt/my tools/it'\\''s'")
    }

    @Test("the mask itself, and nil when there is no CapEff line")
    func mask() {
        #expect(ProbePrivileges(effectiveUID: 5, status: "CapEff:\t000001fffeffffff\n").effectiveCapabilities == 0x1ff_feff_ffff)
        #expect(ProbePrivileges(effectiveUID: 5, status: "").effectiveCapabilities == nil)
    }

    @Test("bpf() refused with EPERM is a permission, not a kernel without the call")
    func bpfRefusal() {
        guard case let .unavailable(refused, _) = Probe.bpfSyscallRefused(errno: EPERM),
              case let .unavailable(absent, fix) = Probe.bpfSyscallRefused(errno: ENOSYS) else {
            Issue.record("a failed bpf() was taken as available")
            return
        }
        #expect(refused.hasPrefix("permission for the bpf() system call"), "\(refused)")
        #expect(absent.hasPrefix("a working bpf() system call"), "\(absent)")
        #expect(fix.contains("CONFIG_BPF_SYSCALL"))
    }
}
