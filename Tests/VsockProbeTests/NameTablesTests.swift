import Testing

@testable import VsockProbe

@Suite struct NameTablesTests {
    @Test("x86_64 syscall numbers the report names")
    func syscallNames() {
        let expected: [Int: String] = [
            0: "read", 1: "write", 7: "poll", 16: "ioctl", 19: "readv", 20: "writev", 23: "select", 44: "sendto",
            45: "recvfrom", 46: "sendmsg", 47: "recvmsg", 202: "futex", 232: "epoll_wait", 270: "pselect6",
            271: "ppoll", 281: "epoll_pwait", 299: "recvmmsg", 307: "sendmmsg", 334: "rseq", 424: "pidfd_send_signal",
            449: "futex_waitv",
        ]
        for (number, name) in expected {
            #expect(SyscallNames.name(ofX86_64: number) == name)
        }
        #expect(SyscallNames.name(ofX86_64: 400) == "nr_400")
    }

    @Test("exit reasons by ISA, unknown ones by number")
    func exitReasons() {
        #expect(KVMExitReasons.name(ofExitKey: 1 << 32 | 30) == "IO_INSTRUCTION")
        #expect(KVMExitReasons.name(ofExitKey: 1 << 32 | 48) == "EPT_VIOLATION")
        #expect(KVMExitReasons.name(ofExitKey: 1 << 32 | 99) == "99")
        #expect(KVMExitReasons.name(ofExitKey: 2 << 32 | 0x7b) == "io")
        #expect(KVMExitReasons.name(ofExitKey: 2 << 32 | 0x3ff) == "0x3ff")
        #expect(KVMExitReasons.name(ofUserspaceKey: 2) == "IO")
        #expect(KVMExitReasons.name(ofUserspaceKey: 5) == "HLT")
        #expect(KVMExitReasons.name(ofUserspaceKey: 0x10000 | 4) == "RESTART")
        #expect(KVMExitReasons.name(ofUserspaceKey: 0x10000 | 14) == "ERROR_14")
    }
}
