import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing

@testable import VsockObserve

/// The pcap file as tcpdump and Wireshark read it: LINKTYPE_VSOCK, vsockmon header, virtio header.
@Suite struct PcapWriterTests {
    static func u16(_ bytes: [UInt8], _ at: Int) -> UInt16 { UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8 }
    static func u32(_ bytes: [UInt8], _ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[at + $1]) << (8 * $1) } }
    static func u64(_ bytes: [UInt8], _ at: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(bytes[at + $1]) << (8 * $1) } }

    @Test("file header, then per packet: record header, af_vsockmon_hdr, virtio_vsock_hdr; payload left out")
    func layout() throws {
        let path = FileManager.default.temporaryDirectory.appending(path: "observe-\(UUID().uuidString).pcap").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try PcapWriter(path: path, realtimeOffsetNanos: 1_700_000_000_000_000_000)
        let connection = VsockConnection(parentCID: 3, parentPort: 49152, peerCID: 16, peerPort: 5005)
        try writer.write(ObservedPacket(timestampNanos: 1_500_000_123, direction: .fromParent, connection: connection, op: 5, length: 8224))
        try writer.write(ObservedPacket(
            timestampNanos: 1_600_000_000, direction: .toParent, connection: connection, op: 6, length: 0,
            bufferAllocation: 262_144, forwardCount: 8224))
        try writer.close()
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(Self.u32(bytes, 0) == 0xa1b2_3c4d)
        #expect(Self.u32(bytes, 16) == 76, "the snapshot length is what each record holds (it said 262144)")
        #expect(Self.u32(bytes, 20) == 271)
        let record = 24
        #expect(Self.u32(bytes, record) == 1_700_000_001)
        #expect(Self.u32(bytes, record + 4) == 500_000_123)
        #expect(Self.u32(bytes, record + 8) == 76)
        #expect(Self.u32(bytes, record + 12) == 76 + 8224)
        let monitor = record + 16
        #expect(Self.u64(bytes, monitor) == 3 && Self.u64(bytes, monitor + 8) == 16)
        #expect(Self.u32(bytes, monitor + 16) == 49152 && Self.u32(bytes, monitor + 20) == 5005)
        #expect(Self.u16(bytes, monitor + 24) == 4)  // AF_VSOCK_OP_PAYLOAD
        #expect(Self.u16(bytes, monitor + 26) == 2)  // AF_VSOCK_TRANSPORT_VIRTIO
        #expect(Self.u16(bytes, monitor + 28) == 44)
        let virtio = monitor + 32
        #expect(Self.u32(bytes, virtio + 24) == 8224)
        #expect(Self.u16(bytes, virtio + 28) == 1 && Self.u16(bytes, virtio + 30) == 5)
        let second = record + 16 + 76
        #expect(Self.u64(bytes, second + 16) == 16)  // from the peer
        #expect(Self.u16(bytes, second + 16 + 24) == 3)  // AF_VSOCK_OP_CONTROL
        #expect(Self.u32(bytes, second + 16 + 32 + 36) == 262_144 && Self.u32(bytes, second + 16 + 32 + 40) == 8224)
        #expect(bytes.count == 24 + 2 * (16 + 76))
        #expect(writer.packets == 2)
    }

    @Test("a closed writer's deinit leaves alone the file that reused its descriptor number")
    func closeThenDeinit() throws {
        let directory = FileManager.default.temporaryDirectory
        let path = directory.appending(path: "observe-\(UUID().uuidString).pcap").path
        let otherPath = directory.appending(path: "observe-other-\(UUID().uuidString)").path
        defer {
            try? FileManager.default.removeItem(atPath: path)
            try? FileManager.default.removeItem(atPath: otherPath)
        }
        var writer: PcapWriter? = try PcapWriter(path: path, realtimeOffsetNanos: 0)
        let number = try #require(writer?.fd)
        try writer?.close()
        try writer?.close()  // a second close does nothing
        var other = open(otherPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        try #require(other >= 0)
        if other != number {  // another thread took the lowest number: ask for this one
            let moved = fcntl(other, F_DUPFD_CLOEXEC, number)
            _ = Glibc.close(other)
            other = moved
        }
        try #require(other == number)
        defer { _ = Glibc.close(other) }
        writer = nil
        #expect(fcntl(other, F_GETFD) >= 0, "the writer's deinit closed descriptor \(other) a second time")
    }

    @Test("the kernel's vsockmon op for each virtio op")
    func monitorOps() {
        #expect((0...8).map { PcapWriter.monitorOp(UInt16($0)) } == [0, 1, 1, 2, 2, 4, 3, 3, 0])
    }
}
