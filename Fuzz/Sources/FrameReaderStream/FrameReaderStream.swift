#if canImport(Glibc)
import Glibc
#endif
import FuzzSupport
import VsockTransport
import VsockWire

/// `FrameReader` as the target runs it, over a Unix socketpair whose other end sends the
/// input: frames, partial headers, lengths at and past the limit, a stream that ends anywhere.
///
/// Input: bytes 0-1 the reader's `maxPayload` (big-endian, 0...65535), bytes 2-3 its
/// `initialCapacity` (the reader clamps it to 32...header + maxPayload), then the stream. The
/// whole stream is written before reading (at most 128 KiB, within the socket's buffer, so
/// the single thread never blocks) and the write side is shut down.
///
/// Checks, against a reference that walks the same bytes (`ReferenceFrameHeader`):
/// - each frame is the next one of the stream: its header, and `wholeFrame` byte for byte, with
///   `payload` the first `content` bytes after the header;
/// - the stream ends with nil exactly when every byte was a whole frame, else with the typed
///   error the reference expects (truncated header or payload with the right counts, or the
///   header's own error); never a system error;
/// - `bufferedCount` is what was read and not handed out; `hasCompleteFrame` true means
///   `next()` makes no read syscall; the unread bytes `drainBuffered` hands over are the
///   stream's next bytes;
/// - memory: no allocation larger than header + maxPayload (allocations under 256 bytes, the
///   reader object itself (144 bytes since it has deadlines, a foreign framing and packet mode),
///   are not held to it), at most twice that live at once (while the
///   buffer grows), and every buffer that held stream bytes is zero when it is freed.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrameReaderStream(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let maxPayload = Int(input.uint16())
    let initialCapacity = Int(input.uint16())
    let stream = input.rest()
    guard stream.count <= 128 * 1024 else { return -1 }
    WarmUp.once()

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

    let (ending, record) = AllocationRecorder.record {
        let reader = FrameReader(socket: readSide, maxPayload: maxPayload, initialCapacity: initialCapacity)
        return readAll(reader, stream: stream, maxPayload: maxPayload)
    }
    if let ending {
        // What the target logs and sends back in its error frame (allocates: outside the record).
        _ = ending.code
        _ = ending.description
    }
    let bound = FrameHeader.size + maxPayload
    fuzzCheck(record.largest <= max(bound, 256), "an allocation of \(record.largest) bytes for maxPayload \(maxPayload) (bound \(bound))")
    fuzzCheck(record.peakLive <= 2 * max(bound, 256) + 256, "\(record.peakLive) bytes live at once for maxPayload \(maxPayload)")
    fuzzCheck(record.watchedDirty == 0, "\(record.watchedDirty) buffer(s) that held stream bytes freed without being zeroed")
    return 0
}

/// Reads until the end of the stream or an error, checking each step against the reference.
/// Returns the frame error the stream ended with, if any.
@discardableResult
private func readAll(_ reader: FrameReader, stream: UnsafeRawBufferPointer, maxPayload: Int) -> FrameError? {
    var consumed = 0
    while true {
        let before = reader.socket.counters.snapshot()
        fuzzCheck(reader.bufferedCount == Int(before.bytesRead) - consumed,
                  "bufferedCount \(reader.bufferedCount), but \(before.bytesRead) bytes read and \(consumed) handed out")
        let complete = reader.hasCompleteFrame
        let result: Result<Frame?, FrameReadError>
        do throws(FrameReadError) {
            result = .success(try reader.next())
        } catch {
            result = .failure(error)
        }
        let after = reader.socket.counters.snapshot()
        if complete {
            fuzzCheck(after.reads == before.reads, "hasCompleteFrame was true, yet next() made \(after.reads - before.reads) read(s)")
        }
        let rest = UnsafeRawBufferPointer(rebasing: stream[consumed...])
        switch (result, ReferenceStep(rest, maxPayload: maxPayload)) {
        case (.success(nil), .end):
            fuzzCheck(consumed == stream.count, "end of stream after \(consumed) of \(stream.count) bytes")
            checkDrain(reader, rest: rest)
            return nil
        case let (.success(frame?), .frame(header, total)):
            fuzzCheck(header.matches(frame.header), "frame \(frame.header) where the stream holds \(header)")
            fuzzCheck(frame.wholeFrame.count == total, "wholeFrame of \(frame.wholeFrame.count) bytes for a \(total)-byte frame")
            fuzzCheck(frame.payload.count == Int(header.content), "payload of \(frame.payload.count) bytes, content \(header.content)")
            if let whole = frame.wholeFrame.baseAddress, let expected = rest.baseAddress {
                fuzzCheck(frame.payload.baseAddress == UnsafeRawPointer(whole + FrameHeader.size), "payload does not follow the header")
                fuzzCheck(memcmp(whole, expected, total) == 0, "wholeFrame differs from the stream's bytes at offset \(consumed)")
                AllocationRecorder.watchBlock(containing: whole)
            }
            consumed += total
        case let (.failure(.frame(got)), .error(want)):
            fuzzCheck(got == want, "next() threw \(got), the stream calls for \(want)")
            checkDrain(reader, rest: rest)
            return got
        case let (.failure(.system(error)), _):
            fuzzCheck(false, "a system error on a socketpair: \(error)")
            return nil
        case let (got, want):
            fuzzCheck(false, "next() gave \(got), the stream calls for \(want) at offset \(consumed)")
            return nil
        }
    }
}

/// The bytes still buffered are the stream's next ones; the buffer holding them is watched.
private func checkDrain(_ reader: FrameReader, rest: UnsafeRawBufferPointer) {
    let buffered = reader.bufferedCount
    reader.drainBuffered { bytes in
        fuzzCheck(bytes.count == buffered, "drainBuffered handed \(bytes.count) bytes, bufferedCount was \(buffered)")
        fuzzCheck(bytes.count <= rest.count, "drainBuffered handed \(bytes.count) bytes, only \(rest.count) were left")
        if let base = bytes.baseAddress {
            if bytes.count > 0, let expected = rest.baseAddress {
                fuzzCheck(memcmp(base, expected, bytes.count) == 0, "drained bytes differ from the stream's")
            }
            AllocationRecorder.watchBlock(containing: base)
        }
    }
    fuzzCheck(reader.bufferedCount == 0, "bufferedCount \(reader.bufferedCount) after drainBuffered")
}

/// What the next call to `next()` must give for the stream's remaining bytes.
private enum ReferenceStep {
    case end
    case frame(ReferenceFrameHeader, total: Int)
    case error(FrameError)

    init(_ rest: UnsafeRawBufferPointer, maxPayload: Int) {
        if rest.isEmpty {
            self = .end
            return
        }
        guard rest.count >= FrameHeader.size else {
            self = .error(.truncatedHeader(received: rest.count))
            return
        }
        switch ReferenceFrameHeader.decode(UnsafeRawBufferPointer(rebasing: rest[..<FrameHeader.size]), maxPayload: maxPayload) {
        case let .failure(error):
            self = .error(error)
        case let .success(header):
            let total = FrameHeader.size + Int(header.length)
            if rest.count < total {
                self = .error(.truncatedPayload(expected: Int(header.length), received: rest.count - FrameHeader.size))
            } else {
                self = .frame(header, total: total)
            }
        }
    }
}

/// The Swift runtime allocates type metadata and caches the first time a code path runs; one
/// pass over a few frames before the first recorded input keeps that out of the figures.
private enum WarmUp {
    nonisolated(unsafe) static var done = false

    static func once() {
        guard !done else { return }
        done = true
        var header = [UInt8](repeating: 0, count: FrameHeader.size)
        header.withUnsafeMutableBytes { raw in
            if let base = raw.baseAddress { FrameHeader(type: .request, length: 0).encode(into: base) }
        }
        // Frames then a truncated header; whole frames to a clean end; an empty stream.
        for (stream, maxPayload) in [(header + header + [0x56, 0x53], 64), (header, 64), ([], 0)] {
            guard let (writer, readSide) = try? Socket.makePair() else { return }
            stream.withUnsafeBytes { raw in
                if let base = raw.baseAddress, raw.count > 0 { try? writer.writeAll(base, count: raw.count) }
            }
            writer.shutdownWrite()
            let reader = FrameReader(socket: readSide, maxPayload: maxPayload, initialCapacity: 40)
            stream.withUnsafeBytes { raw in readAll(reader, stream: raw, maxPayload: maxPayload) }
            writer.close()
            readSide.close()
        }
    }
}
