import Foundation
import Testing

@testable import VsockProbe

/// What the probe tests need from the machine, checked once; tests that need it skip with the
/// reason where it is missing (CI runs as root with BPF and KVM, so nothing skips there).
enum TestSupport {
    static let availability = Probe.checkAvailability()
    static var canProbe: Bool { availability == .available }

    /// /dev/kvm opens read-write: the kvm fixture can run guests.
    static let hasKVM: Bool = {
        let fd = open("/dev/kvm", O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return false }
        close(fd)
        return true
    }()

    /// The directory of the test binary, where SwiftPM also puts the fixture executables.
    static let productsDirectory: String = {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        return URL(fileURLWithPath: exe).deletingLastPathComponent().path
    }()

    /// A built executable of the package (`kvm-fixture`, `write-fixture`, `vsockbench`).
    static func product(_ name: String) -> String {
        "\(productsDirectory)/\(name)"
    }

    /// A vsock port filter no test traffic uses: the machine's own vsock device belongs to the
    /// infrastructure, and these tests have no business counting its packets.
    static let unusedVsockPort: UInt32 = 0xFFFF_FF00

    /// Runs `command` under a probe that follows it; the probe is set up before it execs.
    static func runUnderProbe(
        _ command: [String], configuration: ProbeConfiguration = ProbeConfiguration(pids: [], vsockPort: unusedVsockPort)
    ) throws -> ProbeSessionResult {
        try ProbeSession.run(command: command, configuration: configuration, handlesInterrupts: false)
    }

    /// A copy of the tracepoint `format` files the probe reads, to alter or leave out some.
    static func makeFakeTracefs() throws -> URL {
        let root = FileManager.default.temporaryDirectory.appending(path: "vsockprobe-tracefs-\(UUID().uuidString)")
        for program in ProbeProgram.tracepointPrograms {
            let relative = "events/\(program.category)/\(program.event)"
            let source = "\(ProbeConfiguration.defaultTracefsRoot)/\(relative)/format"
            guard let text = try? FileSystem.readText(source) else { continue }
            let directory = root.appending(path: relative)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try text.write(to: directory.appending(path: "format"), atomically: true, encoding: .utf8)
        }
        return root
    }
}
