#if canImport(Glibc)
import Glibc
#endif
import FuzzSupport
import VsockTransport
import VsockWire

/// `FrameReader` in packet mode (seqpacket: one frame per message), over a Unix
/// `SOCK_SEQPACKET` socketpair whose other end sends the input as packets: whole frames,
/// empty and short packets, two frames in one packet, a frame split over two, packets larger
/// than the reader's buffer.
///
/// Input: bytes 0-1 the reader's `maxPayload` (big-endian, 0...65535; its buffer is one header
/// plus that), then packets, each a big-endian u16 length and that many bytes (a length past the
/// input's end takes what is left). At most 64 packets (more: the input is skipped), so that
/// all of them fit in the socket's send buffer: every packet is sent before reading, one send
/// each, and the write side is shut down.
///
/// Checks, against a reference that walks the same packets (`ReferencePacket`):
/// - each `next()` is one receive syscall of one packet; the reader buffers nothing between
///   packets (`bufferedCount` 0, `hasCompleteFrame` false);
/// - a packet that is one whole frame comes out as that frame: its header, `wholeFrame` the
///   packet byte for byte, `payload` the first `content` bytes after the header, always at the
///   start of the same buffer;
/// - any other packet gives the typed error the reference expects: larger than header +
///   `maxPayload` `packetTooLarge` with its real size, under a header `shortPacket`, a header
///   that does not decode its own error, a frame whose size is not the packet's
///   `packetSizeMismatch`; never a system error; and the packets after it still read right
///   (the reader keeps no state between packets);
/// - an empty packet is `shortPacket(size: 0)`, unless only empty packets follow it before the
///   close: a zero-length receive of an empty packet and the end of the stream are the same
///   syscall result, and once the peer has closed with nothing else queued they cannot be told
///   apart (vsock never sends an empty packet; Unix seqpacket does); `next()` then gives nil,
///   which ends the walk;
/// - memory: one allocation of header + maxPayload (allocations under 256 bytes, the reader
///   object, are not held to it), no more than that plus 256 bytes live at once (the buffer
///   never grows), and the bytes packets wrote into the buffer are zero when it is freed.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrameReaderPacket(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let maxPayload = Int(input.uint16())
    guard let packets = Packets.split(input.rest()) else { return -1 }
    WarmUp.once()

    let writer: Socket
    let readSide: Socket
    do {
        (writer, readSide) = try Socket.makeSeqpacketPair()
    } catch {
        fuzzCheck(false, "socketpair(AF_UNIX, SOCK_SEQPACKET) failed: \(error)")
        return 0
    }
    defer {
        writer.close()
        readSide.close()
    }
    Packets.send(packets, on: writer)
    writer.shutdownWrite()

    // The errors met, kept in storage allocated before the record starts.
    var errors: [FrameError] = []
    errors.reserveCapacity(packets.count)
    let ((), record) = AllocationRecorder.record {
        let reader = FrameReader(socket: readSide, maxPayload: maxPayload)
        readAll(reader, packets: packets, maxPayload: maxPayload, errors: &errors)
    }
    for error in errors {
        // What the target logs and sends back in its error frame (allocates: outside the record).
        _ = error.code
        _ = error.description
    }
    let bound = FrameHeader.size + maxPayload
    fuzzCheck(record.largest <= max(bound, 256), "an allocation of \(record.largest) bytes for maxPayload \(maxPayload) (bound \(bound))")
    fuzzCheck(record.peakLive <= bound + 256, "\(record.peakLive) bytes live at once for maxPayload \(maxPayload) (one buffer of \(bound))")
    fuzzCheck(record.watchedDirty == 0, "the buffer that held packets was freed without being zeroed")
    return 0
}

/// The input's packets: views into the fuzzer's bytes.
enum Packets {
    static let maxCount = 64

    static func split(_ bytes: UnsafeRawBufferPointer) -> [UnsafeRawBufferPointer]? {
        var rest = FuzzInput(bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count)
        var packets: [UnsafeRawBufferPointer] = []
        while !rest.remaining.isEmpty {
            guard packets.count < maxCount else { return nil }
            let length = Int(rest.uint16())
            packets.append(rest.take(length))
        }
        return packets
    }

    /// One send per packet; all of them fit in the send buffer (64 packets of 16 KiB in all:
    /// about 170 packets of 256 bytes fit here), so the single thread never blocks.
    static func send(_ packets: [UnsafeRawBufferPointer], on writer: Socket) {
        do {
            try writer.setSendTimeout(seconds: 2)
        } catch {
            fuzzCheck(false, "SO_SNDTIMEO failed: \(error)")
        }
        var empty: UInt8 = 0
        for packet in packets {
            do {
                if let base = packet.baseAddress, packet.count > 0 {
                    try writer.sendMessage(base, count: packet.count)
                } else {
                    try writer.sendMessage(&empty, count: 0)
                }
            } catch {
                fuzzCheck(false, "sending a \(packet.count)-byte packet failed (the harness assumes every packet fits the send buffer): \(error)")
            }
        }
    }
}

/// Reads until the end of the stream, checking each step against the reference; errors do not
/// end the walk (the next packet is read). Appends the errors met to `errors`.
private func readAll(_ reader: FrameReader, packets: [UnsafeRawBufferPointer], maxPayload: Int, errors: inout [FrameError]) {
    let capacity = FrameHeader.size + maxPayload
    var written = 0
    var bytesRead = 0
    var index = 0
    var bufferStart: UnsafeMutableRawPointer?
    defer {
        // The one buffer: what the kernel wrote into it must be zero when the reader frees it.
        reader.drainBuffered { bytes in
            fuzzCheck(bytes.isEmpty, "drainBuffered handed \(bytes.count) bytes in packet mode")
            if let base = bytes.baseAddress {
                if let bufferStart {
                    fuzzCheck(UnsafeRawPointer(bufferStart) == base, "frames were handed out from another buffer than the reader's")
                }
                if written > 0 { AllocationRecorder.watchBlockPrefix(containing: base, through: written) }
            }
        }
    }
    while true {
        fuzzCheck(reader.packetMode, "a reader on a seqpacket socket is not in packet mode")
        fuzzCheck(reader.bufferedCount == 0, "bufferedCount \(reader.bufferedCount) between packets")
        fuzzCheck(!reader.hasCompleteFrame, "hasCompleteFrame is true between packets")
        let before = reader.socket.counters.snapshot()
        fuzzCheck(Int(before.bytesRead) == bytesRead, "\(before.bytesRead) bytes counted as read, \(bytesRead) received")
        let result: Result<Frame?, FrameReadError>
        do throws(FrameReadError) {
            result = .success(try reader.next())
        } catch {
            result = .failure(error)
        }
        let after = reader.socket.counters.snapshot()
        fuzzCheck(after.reads == before.reads + 1, "next() made \(after.reads - before.reads) counted receive(s), not one")
        let expected = ReferencePacket(packets, at: index, maxPayload: maxPayload)
        if index < packets.count {
            let received = min(packets[index].count, capacity)
            written = max(written, received)
            bytesRead += received
        }
        switch (result, expected) {
        case (.success(nil), .end):
            return
        case let (.success(frame?), .frame(header)):
            let packet = packets[index]
            fuzzCheck(header.matches(frame.header), "frame \(frame.header) where packet \(index) holds \(header)")
            fuzzCheck(frame.wholeFrame.count == packet.count, "wholeFrame of \(frame.wholeFrame.count) bytes for a \(packet.count)-byte packet")
            fuzzCheck(frame.payload.count == Int(header.content), "payload of \(frame.payload.count) bytes, content \(header.content)")
            if let whole = frame.wholeFrame.baseAddress, let expected = packet.baseAddress {
                fuzzCheck(bufferStart == nil || bufferStart == whole, "packet \(index) handed out at another address than the packets before it")
                bufferStart = whole
                fuzzCheck(frame.payload.baseAddress == UnsafeRawPointer(whole + FrameHeader.size), "payload does not follow the header")
                fuzzCheck(memcmp(whole, expected, packet.count) == 0, "wholeFrame differs from packet \(index)'s bytes")
            }
        case let (.failure(.frame(got)), .error(want)):
            fuzzCheck(got == want, "next() threw \(got) for packet \(index), the packet calls for \(want)")
            errors.append(got)
        case let (.failure(.system(error)), _):
            fuzzCheck(false, "a system error on a socketpair: \(error)")
            return
        case let (got, want):
            fuzzCheck(false, "next() gave \(got) for packet \(index) of \(packets.count), the packets call for \(want)")
            return
        }
        index += 1
    }
}

/// What `next()` must give for packet `index` (of the packets sent, then the end of the stream).
enum ReferencePacket {
    case end
    case frame(ReferenceFrameHeader)
    case error(FrameError)

    init(_ packets: [UnsafeRawBufferPointer], at index: Int, maxPayload: Int) {
        guard index < packets.count else {
            self = .end
            return
        }
        let packet = packets[index]
        if packet.count > FrameHeader.size + maxPayload {
            self = .error(.packetTooLarge(size: packet.count, maxPayload: maxPayload))
            return
        }
        if packet.isEmpty, packets[(index + 1)...].allSatisfy { $0.isEmpty } {
            // An empty packet, then nothing but empty packets and the close: not told apart
            // from the close itself (see the harness's header).
            self = .end
            return
        }
        guard packet.count >= FrameHeader.size else {
            self = .error(.shortPacket(size: packet.count))
            return
        }
        switch ReferenceFrameHeader.decode(UnsafeRawBufferPointer(rebasing: packet[..<FrameHeader.size]), maxPayload: maxPayload) {
        case let .failure(error):
            self = .error(error)
        case let .success(header):
            if FrameHeader.size + Int(header.length) != packet.count {
                self = .error(.packetSizeMismatch(length: Int(header.length), packet: packet.count))
            } else {
                self = .frame(header)
            }
        }
    }
}

/// The Swift runtime allocates type metadata and caches the first time a code path runs; one
/// pass over a few packets before the first recorded input keeps that out of the figures.
private enum WarmUp {
    nonisolated(unsafe) static var done = false

    static func once() {
        guard !done else { return }
        done = true
        var header = [UInt8](repeating: 0, count: FrameHeader.size)
        header.withUnsafeMutableBytes { raw in
            if let base = raw.baseAddress { FrameHeader(type: .request, length: 0).encode(into: base) }
        }
        // A frame, a short packet, a packet too large, a frame whose size is not the packet's,
        // empty packets before the close.
        let stream: [[UInt8]] = [header, [0x56, 0x53], header + [UInt8](repeating: 1, count: 100), header + [0], [], []]
        guard let (writer, readSide) = try? Socket.makeSeqpacketPair() else { return }
        var flat: [UInt8] = []
        for packet in stream {
            flat += [UInt8(packet.count >> 8), UInt8(packet.count & 0xFF)] + packet
        }
        flat.withUnsafeBytes { raw in
            guard let packets = Packets.split(raw) else { return }
            Packets.send(packets, on: writer)
            writer.shutdownWrite()
            let reader = FrameReader(socket: readSide, maxPayload: 64)
            var errors: [FrameError] = []
            readAll(reader, packets: packets, maxPayload: 64, errors: &errors)
        }
        writer.close()
        readSide.close()
    }
}
