import Foundation
import VsockProbe

@testable import VsockTransport
@testable import VsockBenchDoctor

/// A fake /proc, /sys, /dev and /etc (and a directory for commands) in a temporary directory,
/// for doctor to look at instead of this machine. Answers that come from system calls rather
/// than files (AF_VSOCK, bpf()) are injected; fentry is never loaded.
final class FakeMachine {
    let root: URL
    var kernelRelease = "6.1.0-test"
    var effectiveUID: UInt32 = 0
    var vsock = VsockSupport(
        socketSupported: true, bufferSize: 262_144, bufferMinSize: 128, bufferMaxSize: 262_144, localCID: 16, seqpacketSupported: true)
    /// AF_UNIX SOCK_SEQPACKET (never asked of this machine's kernel).
    var unixSeqpacket = SocketAnswer.works
    /// nil: decided by doctor (not tried without privileges).
    var bpfSyscall: ProbeAvailability? = .available

    init() throws {
        root = FileManager.default.temporaryDirectory.appending(path: "vsockbench-doctor-\(UUID().uuidString)")
        for directory in ["proc/self", "proc/sys/net/core", "proc/sys/net/ipv4", "sys/module", "dev", "etc", "bin"] {
            try FileManager.default.createDirectory(at: root.appending(path: directory), withIntermediateDirectories: true)
        }
        try write("proc/self/status", "Name:\tvsockbench\nCapEff:\t000001ffffffffff\n")
        for (name, value) in [("rmem_default", "212992"), ("wmem_default", "212992"), ("rmem_max", "4194304"), ("wmem_max", "4194304")] {
            try write("proc/sys/net/core/\(name)", value + "\n")
        }
        try write("proc/sys/net/ipv4/tcp_rmem", "4096\t131072\t6291456\n")
        try write("proc/sys/net/ipv4/tcp_wmem", "4096\t16384\t4194304\n")
        try write("proc/interrupts", "           CPU0\n")
        // A kernel that loads modules (remove it for one that does not).
        try write("proc/modules", "vsock 57344 0 - Live 0x0000000000000000\n")
        try write("dev/vsock", "")
        try directory("sys/module/vsock")
        try directory("sys/module/vmw_vsock_virtio_transport")
    }

    deinit {
        try? FileManager.default.removeItem(at: root)
    }

    func write(_ relative: String, _ text: String, executable: Bool = false) throws {
        let url = root.appending(path: relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path) }
    }

    func directory(_ relative: String) throws {
        try FileManager.default.createDirectory(at: root.appending(path: relative), withIntermediateDirectories: true)
    }

    func remove(_ relative: String) throws {
        try FileManager.default.removeItem(at: root.appending(path: relative))
    }

    /// A Nitro parent: /dev/nitro_enclaves, the allocator's file, and a `nitro-cli` that lists `enclavesJSON`.
    func makeNitroParent(enclavesJSON: String) throws {
        vsock.localCID = 3
        try write("dev/nitro_enclaves", "")
        try write("etc/nitro_enclaves/allocator.yaml", "---\n# Enclave configuration file.\nmemory_mib: 4096\ncpu_count: 4\n")
        try write("bin/nitro-cli", """
            #!/bin/sh
            [ "$1" = describe-enclaves ] || { echo "unexpected: $*" >&2; exit 9; }
            cat <<'JSON'
            \(enclavesJSON)
            JSON
            """, executable: true)
    }

    /// The fake nitro-cli answers at once; the timeout only bounds a hang. 5 s was not enough
    /// once, in a full parallel `swift test` on a loaded 2-core machine (the test took 45 s).
    var environment: DoctorEnvironment {
        DoctorEnvironment(
            procRoot: root.appending(path: "proc").path, sysRoot: root.appending(path: "sys").path,
            devRoot: root.appending(path: "dev").path, etcRoot: root.appending(path: "etc").path,
            searchPath: root.appending(path: "bin").path, kernelRelease: kernelRelease, effectiveUID: effectiveUID,
            vsockSupport: vsock, bpfSyscall: bpfSyscall, loadsFentry: false, commandTimeoutSeconds: 60, unixSeqpacket: unixSeqpacket)
    }

    func report() -> DoctorReport {
        DoctorReport.gather(environment)
    }
}

extension DoctorReport {
    /// The check with this id; fails the test when there is none.
    func required(_ id: String) throws -> DoctorCheck {
        guard let check = check(id) else { throw DoctorTestError.noCheck(id) }
        return check
    }
}

enum DoctorTestError: Error {
    case noCheck(String)
}
