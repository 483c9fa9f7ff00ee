#if canImport(Glibc)
import Glibc
#endif
import FuzzSupport
import VsockTransport
import VsockWire

/// A service's own framing (`MessageFraming`, for `replay`): `scan` on its own, and
/// `FrameReader` in `foreign` mode over a Unix socketpair whose other end sends the input.
///
/// Input: byte 0 the framing (u32be, u32le, u16be, varint, line: the byte modulo 5), bytes 1-2
/// the reader's `maxPayload` (big-endian, 0...65535: also the scan's limit), bytes 3-4 its
/// `initialCapacity`, then the stream (at most 128 KiB, written whole before reading, the
/// write side then shut down).
///
/// Checks, against a reference written apart from `scan` (`ReferenceMessage`):
/// - `scan` on the stream's remaining bytes gives the reference's message (payload range and
///   total), or `needMore(atLeast:)` asking for more bytes than there are when the stream ends
///   inside a message, `malformed` where the bytes cannot be a length, or `tooLong` where the
///   length (or a line) is over the limit, flagged as a likely wrong framing exactly when the
///   length is over 64 MiB; on every proper prefix of a whole message (the first 64
///   and the last), `needMore` asking for more than the prefix and no more than the message;
/// - the reader hands out the same messages in order, as response frames whose sequence counts
///   them, `payload` inside `wholeFrame` and `wholeFrame` the message's bytes; ends with nil
///   exactly when every byte was a whole message, else with a `.foreign` frame error that says
///   the stream ended inside a message exactly when the reference says so, or a
///   `.foreignTooLarge` one (asking whether the framing is right exactly when the reference's
///   length is over 64 MiB) where the reference says `tooLong`; never a system error;
///   `hasCompleteFrame` true means `next()` makes no read syscall;
/// - memory: no allocation larger than header + maxPayload (or 1 KiB: error texts, the longest
///   a wrong framing's question with the hint that the peer is vsockbench's own target), at most
///   about twice that live at once, every buffer that held stream bytes zeroed when freed.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzForeignStream(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let framing = MessageFraming.allCases[Int(input.byte()) % MessageFraming.allCases.count]
    let maxPayload = Int(input.uint16())
    let initialCapacity = Int(input.uint16())
    let stream = input.rest()
    guard stream.count <= 128 * 1024 else { return -1 }
    WarmUp.once()

    let steps = checkScan(framing, stream: stream, limit: maxPayload)

    let writer: Socket
    let readSide: Socket
    do {
        (writer, readSide) = try Socket.makePair()
    } catch {
        fuzzCheck(false, "socketpair failed: \(error)")
        return 0
    }
    defer {
        writer.close()
        readSide.close()
    }
    if let base = stream.baseAddress, stream.count > 0 {
        do {
            try writer.writeAll(base, count: stream.count)
        } catch {
            fuzzCheck(false, "writing the stream failed: \(error)")
        }
    }
    writer.shutdownWrite()

    let (_, record) = AllocationRecorder.record {
        let reader = FrameReader(socket: readSide, maxPayload: maxPayload, initialCapacity: initialCapacity)
        reader.foreign = framing
        readAll(reader, stream: stream, steps: steps)
    }
    let bound = max(FrameHeader.size + maxPayload, 1024)
    fuzzCheck(record.largest <= bound, "an allocation of \(record.largest) bytes for maxPayload \(maxPayload) (bound \(bound))")
    fuzzCheck(record.peakLive <= 2 * bound + 1024, "\(record.peakLive) bytes live at once for maxPayload \(maxPayload)")
    fuzzCheck(record.watchedDirty == 0, "\(record.watchedDirty) buffer(s) that held stream bytes freed without being zeroed")
    return 0
}

/// What the stream holds from some offset on, read apart from `MessageFraming.scan`.
enum ReferenceMessage: Equatable {
    case message(payload: Range<Int>, total: Int)
    /// The stream ends inside a message.
    case truncated
    /// The bytes cannot be a length (a varint past 64 bits or 10 bytes).
    case malformed
    /// A length over the limit, or no end of line within it; `wrongFraming`: a length over
    /// 64 MiB, which the reader names as likely message bytes read as a length.
    case tooLong(wrongFraming: Bool)

    init(_ framing: MessageFraming, _ rest: UnsafeRawBufferPointer, limit: Int) {
        func prefixed(_ size: Int, bigEndian: Bool) -> ReferenceMessage {
            guard rest.count >= size else { return .truncated }
            var length = 0
            for i in 0..<size {
                let byte = Int(rest[bigEndian ? i : size - 1 - i])
                length = length << 8 | byte
            }
            guard length <= limit else { return .tooLong(wrongFraming: length > 64 << 20) }
            return rest.count - size >= length ? .message(payload: size..<(size + length), total: size + length) : .truncated
        }
        switch framing {
        case .u32be: self = prefixed(4, bigEndian: true)
        case .u32le: self = prefixed(4, bigEndian: false)
        case .u16be: self = prefixed(2, bigEndian: true)
        case .varint:
            // Base 128, least significant group first, at most 10 bytes, whose value must fit in
            // 63 bits (an Int): computed in 128 bits, so nothing falls off the top unseen.
            var high: UInt64 = 0
            var value: UInt64 = 0
            var used = 0
            var done = false
            while used < 10, used < rest.count {
                let byte = rest[used]
                let group = UInt64(byte & 0x7F)
                let shift = 7 * used
                if shift < 64 { value |= group << UInt64(shift) }
                if shift + 7 > 64 { high |= shift >= 64 ? group << UInt64(shift - 64) : group >> UInt64(64 - shift) }
                used += 1
                if byte < 0x80 {
                    done = true
                    break
                }
            }
            if !done {
                self = used == 10 ? .malformed : .truncated
            } else if high != 0 || value > UInt64(Int.max) {
                self = .malformed
            } else if value > UInt64(limit) {
                self = .tooLong(wrongFraming: value > 64 << 20)
            } else {
                let length = Int(value)
                self = rest.count - used >= length ? .message(payload: used..<(used + length), total: used + length) : .truncated
            }
        case .line:
            var end: Int?
            for i in 0..<rest.count where rest[i] == 0x0A {
                end = i
                break
            }
            if let end {
                self = end <= limit ? .message(payload: 0..<end, total: end + 1) : .tooLong(wrongFraming: false)
            } else {
                self = rest.count > limit ? .tooLong(wrongFraming: false) : .truncated
            }
        }
    }
}

/// `scan` against the reference, message by message; the reference's walk of the stream.
private func checkScan(_ framing: MessageFraming, stream: UnsafeRawBufferPointer, limit: Int) -> [ReferenceMessage] {
    var steps: [ReferenceMessage] = []
    var offset = 0
    while offset < stream.count {
        let rest = UnsafeRawBufferPointer(rebasing: stream[offset...])
        let want = ReferenceMessage(framing, rest, limit: limit)
        let got = framing.scan(rest, limit: limit)
        steps.append(want)
        switch (want, got) {
        case let (.message(payload, total), .message(gotPayload, gotTotal)):
            fuzzCheck(payload == gotPayload && total == gotTotal, "\(framing) at offset \(offset): scan found payload \(gotPayload) of \(gotTotal) bytes, the stream holds \(payload) of \(total)")
            for prefix in Set(Array(0..<min(total, 64)) + [total - 1]) {
                switch framing.scan(UnsafeRawBufferPointer(rebasing: rest[..<prefix]), limit: limit) {
                case let .needMore(atLeast):
                    fuzzCheck(atLeast > prefix && atLeast <= total, "\(framing) at offset \(offset): \(prefix) bytes of a \(total)-byte message ask for \(atLeast)")
                case let other:
                    fuzzCheck(false, "\(framing) at offset \(offset): \(prefix) bytes of a \(total)-byte message scan as \(other)")
                }
            }
            offset += total
        case let (.truncated, .needMore(atLeast)):
            fuzzCheck(atLeast > rest.count, "\(framing) at offset \(offset): needMore(atLeast: \(atLeast)) with \(rest.count) bytes there")
            return steps
        case (.malformed, .malformed):
            return steps
        case let (.tooLong(wrongFraming), .tooLong(_, likely)):
            fuzzCheck(likely == wrongFraming, "\(framing) at offset \(offset) (limit \(limit)): scan gave \(got), a likely wrong framing is \(wrongFraming)")
            return steps
        default:
            fuzzCheck(false, "\(framing) at offset \(offset) (limit \(limit)): scan gave \(got), the stream calls for \(want)")
            return steps
        }
    }
    return steps
}

/// Reads until the end of the stream or an error, checking each message against the walk.
private func readAll(_ reader: FrameReader, stream: UnsafeRawBufferPointer, steps: [ReferenceMessage]) {
    var consumed = 0
    var index = 0
    while true {
        let before = reader.socket.counters.snapshot()
        let complete = reader.hasCompleteFrame
        let result: Result<Frame?, FrameReadError>
        do throws(FrameReadError) {
            result = .success(try reader.next())
        } catch {
            result = .failure(error)
        }
        if complete {
            let after = reader.socket.counters.snapshot()
            fuzzCheck(after.reads == before.reads, "hasCompleteFrame was true, yet next() made \(after.reads - before.reads) read(s)")
        }
        let want: ReferenceMessage? = index < steps.count ? steps[index] : nil
        switch (result, want) {
        case (.success(nil), nil):
            fuzzCheck(consumed == stream.count, "end of stream after \(consumed) of \(stream.count) bytes")
            return
        case let (.success(frame?), .message(payload, total)?):
            let expected = stream.baseAddress! + consumed
            fuzzCheck(frame.header.type == .response, "a foreign message as a \(frame.header.type) frame")
            fuzzCheck(frame.header.sequence == UInt64(index), "message \(index) has sequence \(frame.header.sequence)")
            fuzzCheck(Int(frame.header.length) == payload.count && frame.payload.count == payload.count, "message \(index): payload of \(frame.payload.count) bytes (header \(frame.header.length)), the stream holds \(payload.count)")
            fuzzCheck(frame.wholeFrame.count == total, "message \(index): wholeFrame of \(frame.wholeFrame.count) bytes, the message has \(total)")
            if let whole = frame.wholeFrame.baseAddress {
                fuzzCheck(frame.payload.baseAddress == UnsafeRawPointer(whole + payload.lowerBound), "message \(index): payload not at offset \(payload.lowerBound) of the message")
                fuzzCheck(memcmp(whole, expected, total) == 0, "message \(index) differs from the stream's bytes at offset \(consumed)")
                AllocationRecorder.watchBlock(containing: whole)
            }
            consumed += total
            index += 1
        case let (.failure(.frame(.foreign(why))), want?) where want == .truncated || want == .malformed:
            let ended = why.contains("ended inside")
            fuzzCheck(ended == (want == .truncated), "message \(index) at offset \(consumed): '\(why)', the stream calls for \(want)")
            return
        case let (.failure(.frame(.foreignTooLarge(why))), .tooLong(wrongFraming)?):
            fuzzCheck(why.contains("is the framing") == wrongFraming, "message \(index) at offset \(consumed): '\(why)', a likely wrong framing is \(wrongFraming)")
            return
        case let (.failure(.system(error)), _):
            fuzzCheck(false, "a system error on a socketpair: \(error)")
            return
        case let (got, want):
            fuzzCheck(false, "message \(index) at offset \(consumed): next() gave \(got), the stream calls for \(String(describing: want))")
            return
        }
    }
}

/// The Swift runtime allocates metadata and caches the first time a path runs (string
/// interpolation of the errors too): one pass per framing before the first recorded input.
private enum WarmUp {
    nonisolated(unsafe) static var done = false

    static func once() {
        guard !done else { return }
        done = true
        for framing in MessageFraming.allCases {
            for tail: [UInt8] in [[], [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], [0x01]] {
                var stream: [UInt8] = []
                framing.encode([0x61, 0x62], into: &stream)
                stream += tail
                guard let (writer, readSide) = try? Socket.makePair() else { return }
                stream.withUnsafeBytes { raw in
                    if let base = raw.baseAddress { try? writer.writeAll(base, count: raw.count) }
                }
                writer.shutdownWrite()
                let reader = FrameReader(socket: readSide, maxPayload: 8, initialCapacity: 32)
                reader.foreign = framing
                stream.withUnsafeBytes { raw in readAll(reader, stream: raw, steps: checkScan(framing, stream: raw, limit: 8)) }
                writer.close()
                readSide.close()
            }
        }
    }
}
