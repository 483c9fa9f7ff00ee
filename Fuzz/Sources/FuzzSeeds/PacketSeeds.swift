import VsockWire

/// Seeds of FrameReaderPacket (`[maxPayload u16]` then packets, each `[length u16][bytes]`):
/// frames one per packet, at and past the limit, and packets that are not one frame: empty,
/// short, two frames in one, a frame split over two, bytes that are not the protocol.
enum PacketSeeds {
    static func write(to writer: SeedWriter) throws {
        func seed(_ name: String, max: UInt16 = 65535, _ packets: [[UInt8]], lastLength: UInt16? = nil) throws {
            var bytes: [UInt8] = []
            bytes.appendBigEndian(max)
            for (index, packet) in packets.enumerated() {
                bytes.appendBigEndian(index == packets.count - 1 ? lastLength ?? UInt16(packet.count) : UInt16(packet.count))
                bytes += packet
            }
            try writer.write("FrameReaderPacket", name, bytes)
        }
        func frame(_ type: FrameType, _ payload: Int, _ content: Int?, _ sequence: UInt64) -> [UInt8] {
            FrameSeeds.frame(type, payload: payload, content: content, sequence: sequence)
        }
        let hello = ControlCodec.frame(.hello, ErrorMessage(code: "seed", message: "a small JSON body"))
        let requests = (0..<3).map { frame(.request, 100, nil, UInt64($0)) }
        try seed("none", [])
        try seed("hello", [hello])
        try seed("hello-then-requests", [hello] + requests)
        try seed("requests-at-limit", max: 100, requests)
        try seed("request-past-limit-then-request", max: 99, [requests[0], frame(.request, 99, nil, 1)])
        try seed("packet-too-large", max: 64, [Array(repeating: 0x41, count: 200), frame(.response, 64, nil, 0)])
        try seed("limit-zero", max: 0, [ControlCodec.emptyFrame(.bye), ControlCodec.emptyFrame(.mark)])
        try seed("padded", max: 1024, [frame(.request, 512, 8, 0), frame(.request, 512, 0, 1)])
        try seed("short-packet", [Array(hello.prefix(20)), hello])
        try seed("two-frames-in-one-packet", [requests[0] + requests[1], requests[2]])
        try seed("frame-split-over-two", [Array(requests[0].prefix(60)), Array(requests[0].dropFirst(60)), requests[1]])
        try seed("empty-packet-then-frame", [[], hello])
        try seed("empty-packets-then-frame", [hello, [], [], hello])
        try seed("empty-packets-at-the-end", [hello, [], []])
        try seed("garbage-then-frame", [Array("GET / HTTP/1.1\r\n\r\n".utf8) + [UInt8](repeating: 0, count: 20), hello])
        try seed("last-packet-cut-by-the-input", [hello, requests[0]], lastLength: 4000)
        try seed("control-frames", [ControlCodec.emptyFrame(.mark), ControlCodec.emptyFrame(.statsRequest), ControlCodec.frame(.stats, ErrorMessage(code: "c", message: "m")), ControlCodec.emptyFrame(.bye)])
    }
}
