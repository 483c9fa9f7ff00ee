import VsockWire

/// Seeds of FrameHeaderDecode (`[offset][maxPayload u32][header]`) and FrameReaderStream
/// (`[maxPayload u16][initialCapacity u16][stream]`): every frame type, lengths at and past
/// the limit, padding, truncation, bytes that are not the protocol.
enum FrameSeeds {
    static func header(_ type: FrameType, length: Int, content: Int? = nil, sequence: UInt64 = 7, flags: UInt16 = 0, aux: UInt32 = 0) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: FrameHeader.size)
        bytes.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress else { return }
            FrameHeader(type: type, length: length, sequence: sequence, aux: aux, flags: flags, content: content).encode(into: base)
        }
        return bytes
    }

    static func frame(_ type: FrameType, payload: Int, content: Int? = nil, sequence: UInt64 = 0) -> [UInt8] {
        header(type, length: payload, content: content, sequence: sequence)
            + (0..<payload).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
    }

    static func write(to writer: SeedWriter) throws {
        try writeHeaders(to: writer)
        try writeStreams(to: writer)
    }

    private static func writeHeaders(to writer: SeedWriter) throws {
        func seed(_ name: String, offset: UInt8 = 0, max: UInt32 = 4096, _ header: [UInt8]) throws {
            var bytes: [UInt8] = [offset]
            bytes.appendBigEndian(max)
            try writer.write("FrameHeaderDecode", name, bytes + header)
        }
        for type in FrameType.allCases {
            try seed("type-\(type.rawValue)", header(type, length: 100, flags: type == .request ? 1 : 0, aux: type == .request ? 8192 : 0))
        }
        try seed("misaligned-3", offset: 3, header(.request, length: 64, sequence: .max))
        try seed("length-at-limit", header(.response, length: 4096))
        try seed("length-past-limit", header(.response, length: 4097))
        try seed("length-max-u32", max: .max, header(.response, length: Int(UInt32.max), content: 0))
        try seed("limit-zero", max: 0, header(.bye, length: 0))
        try seed("padded", header(.request, length: 4096, content: 100))
        try seed("content-past-length", header(.request, length: 100, content: 101))
        var badMagic = header(.hello, length: 10)
        badMagic[0] = UInt8(ascii: "G")
        try seed("bad-magic", badMagic)
        var oldVersion = header(.hello, length: 10)
        oldVersion[4] = 2
        try seed("version-2", oldVersion)
        var typeZero = header(.hello, length: 10)
        typeZero[5] = 0
        try seed("type-0", typeZero)
        var typeTen = header(.hello, length: 10)
        typeTen[5] = 10
        try seed("type-10", typeTen)
        try seed("short", Array(header(.hello, length: 10).prefix(12)))
    }

    private static func writeStreams(to writer: SeedWriter) throws {
        func seed(_ name: String, max: UInt16 = 65535, capacity: UInt16 = 65535, _ stream: [UInt8]) throws {
            var bytes: [UInt8] = []
            bytes.appendBigEndian(max)
            bytes.appendBigEndian(capacity)
            try writer.write("FrameReaderStream", name, bytes + stream)
        }
        let hello = ControlCodec.frame(.hello, ErrorMessage(code: "seed", message: "a small JSON body"))
        let requests = (0..<3).flatMap { frame(.request, payload: 100, sequence: UInt64($0)) }
        try seed("empty", [])
        try seed("hello", hello)
        try seed("hello-then-requests", hello + requests)
        try seed("requests-at-limit-small-buffer", max: 100, capacity: 40, requests)
        try seed("request-past-limit", max: 99, capacity: 64, requests)
        try seed("limit-zero", max: 0, capacity: 0, ControlCodec.emptyFrame(.bye) + ControlCodec.emptyFrame(.mark))
        try seed("padded-frames", max: 1024, capacity: 256, frame(.request, payload: 512, content: 8) + frame(.request, payload: 512, content: 0))
        try seed("truncated-header", Array(hello.prefix(20)))
        try seed("truncated-payload", Array((hello + requests).dropLast(30)))
        try seed("growing", max: 8192, capacity: 32, frame(.response, payload: 40) + frame(.response, payload: 4000) + frame(.response, payload: 8192))
        try seed("garbage-after-frame", hello + Array("GET / HTTP/1.1\r\n\r\n".utf8) + [UInt8](repeating: 0, count: 20))
        try seed("control-frames", ControlCodec.emptyFrame(.mark) + ControlCodec.emptyFrame(.statsRequest) + ControlCodec.frame(.stats, ErrorMessage(code: "c", message: "m")) + ControlCodec.emptyFrame(.bye))
    }
}
