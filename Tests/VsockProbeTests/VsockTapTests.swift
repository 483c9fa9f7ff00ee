import Foundation
import Testing

@testable import VsockProbe

/// observe's programs on this machine's vsock tracepoints: they load and attach as raw
/// tracepoints, or the tap refuses to start with the reason. The port is one no traffic uses:
/// the machine's own vsock device belongs to the infrastructure, and nothing here connects.
@Suite(.enabled(if: TestSupport.canProbe, "needs root (or CAP_BPF+CAP_PERFMON), a working bpf() and tracefs"))
struct VsockTapTests {
    @Test(
        "observe_sent and observe_received attach as raw tracepoints; nothing comes for an unused port",
        .enabled(if: FileManager.default.fileExists(atPath: "/sys/kernel/tracing/events/vsock"), "no vsock tracepoints on this kernel"))
    func attachesRaw() throws {
        let tap = try VsockTap(configuration: VsockTap.Configuration(port: TestSupport.unusedVsockPort))
        defer { tap.close() }
        #expect(tap.sources.map(\.program) == ["observe_sent", "observe_received"])
        #expect(tap.sources.allSatisfy { $0.attached })
        #expect(tap.sources.map(\.tracepoint) == ["vsock/virtio_transport_alloc_pkt", "vsock/virtio_transport_recv_pkt"])
        #expect(try tap.poll(timeoutMilliseconds: 10).isEmpty)
        #expect(try tap.lostPackets() == 0)
    }

    @Test("recv_pkt's arguments in another order: the tap does not start, and says which argument differs")
    func refusesOtherArguments() throws {
        let root = FileManager.default.temporaryDirectory.appending(path: "vsockprobe-tap-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        for (event, text) in [
            ("virtio_transport_alloc_pkt", Formats.allocPkt61),
            ("virtio_transport_recv_pkt", Formats.recvPkt61.replacingOccurrences(of: "buf_alloc;", with: "credit;")),
        ] {
            let directory = root.appending(path: "events/vsock/\(event)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try text.write(to: directory.appending(path: "format"), atomically: true, encoding: .utf8)
        }
        #expect {
            try VsockTap(configuration: VsockTap.Configuration(port: TestSupport.unusedVsockPort, tracefsRoot: root.path))
        } throws: { error in
            "\(error)".contains("argument 9 is `credit` (size 4), the program reads `buf_alloc` (size 4)")
        }
    }
}
