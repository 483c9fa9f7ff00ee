import FuzzSupport
import VsockBenchEngine
import VsockBenchModel
import VsockWire

/// The target's reading of a hello payload (`ConnectionHandler.readHello`): the JSON decode
/// of a `CaseHello`, the case it describes (`WireCase.spec`), and the bounds check
/// (`CaseSpec.limitProblems`) at the target's default `--max-frame` of 4 MiB.
///
/// Input: the hello frame's payload, as the peer sends it.
///
/// Checks: decoding either succeeds or throws `bad_control` (`control_too_large` past 64 KiB);
/// a case accepted under the 4 MiB frame limit is also accepted under the 64 MiB case bound;
/// for an accepted case, the bounds the target relies on hold (written out here apart from
/// `limitProblems`), what the target and the driver compute from a case does not trap, and the
/// hello encodes (`ControlCodec.frame`) and decodes back to itself.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHelloDecode(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let payload = UnsafeRawBufferPointer(start: data.map(UnsafeRawPointer.init), count: data == nil ? 0 : size)
    let hello: CaseHello
    do throws(ErrorMessage) {
        hello = try ControlCodec.decode(CaseHello.self, from: payload)
    } catch {
        let expected = size > ControlCodec.maxPayload ? "control_too_large" : "bad_control"
        fuzzCheck(error.code == expected, "decode failed with code \(error.code), expected \(expected)")
        return 0
    }
    fuzzCheck(size <= ControlCodec.maxPayload, "a \(size)-byte hello decoded past the \(ControlCodec.maxPayload)-byte limit")
    guard let spec = hello.spec.spec else { return 0 }
    // A raw stream's peer is not vsockbench either: the wire form has no raw flag to set.
    fuzzCheck(!spec.workload.isForeign, "a hello described a case for a foreign peer: \(spec.workload.kind)")
    let maxFrame = 4 * 1024 * 1024
    let problems = spec.limitProblems(maxFrame: maxFrame)
    guard problems.isEmpty else { return 0 }
    let loose = spec.limitProblems()
    fuzzCheck(loose.isEmpty, "accepted under a 4 MiB frame limit, refused under the case bound: \(loose)")
    checkAcceptedBounds(spec, maxFrame: maxFrame)
    _ = spec.largestPayload
    _ = spec.describedSizes
    _ = spec.strategySummary
    _ = spec.messageSizes
    checkRoundTrip(hello)
    return 0
}

/// What the target sizes buffers, threads and loops by, for a case it accepted.
private func checkAcceptedBounds(_ spec: CaseSpec, maxFrame: Int) {
    let maxBuffer = 64 * 1024 * 1024
    fuzzCheck((1...1024).contains(spec.connections), "accepted connections \(spec.connections)")
    for value in [spec.socket.sendBuffer, spec.socket.receiveBuffer].compactMap({ $0 }) {
        fuzzCheck((1...(1 << 30)).contains(value), "accepted socket buffer \(value)")
    }
    for value in [spec.socket.vsockBufferSize, spec.socket.vsockBufferMin, spec.socket.vsockBufferMax].compactMap({ $0 }) {
        fuzzCheck((1...(1 << 30)).contains(value), "accepted vsock buffer \(value)")
    }
    func checkExchange(_ exchange: Exchange) {
        fuzzCheck((1...4096).contains(exchange.inflight), "accepted inflight \(exchange.inflight)")
        fuzzCheck(exchange.targetCostNanos <= 1_000_000_000, "accepted target cost \(exchange.targetCostNanos) ns")
        if let chunk = exchange.writeChunk { fuzzCheck((1...maxBuffer).contains(chunk), "accepted write_chunk \(chunk)") }
        switch exchange.strategy {
        case .none: break
        case let .window(n): fuzzCheck((1...4096).contains(n), "accepted window \(n)")
        case let .coalesce(m, b, l): fuzzCheck((1...4096).contains(m) && (1...maxBuffer).contains(b) && l <= 1_000_000_000, "accepted coalesce \(m)/\(b)/\(l)")
        case let .writev(m): fuzzCheck((1...1024).contains(m), "accepted writev \(m)")
        case let .writerThread(d, b): fuzzCheck((1...4096).contains(d) && (1...maxBuffer).contains(b), "accepted writer_thread \(d)/\(b)")
        case let .normalize(s): fuzzCheck((64...maxFrame).contains(s), "accepted normalize \(s)")
        }
    }
    switch spec.workload {
    case let .stream(stream):
        fuzzCheck((1...maxBuffer).contains(stream.writeSize), "accepted write_size \(stream.writeSize)")
    case let .rr(rr):
        fuzzCheck((0...maxFrame).contains(rr.requestSize) && (0...maxFrame).contains(rr.responseSize), "accepted rr sizes \(rr.requestSize)/\(rr.responseSize)")
        checkExchange(rr.exchange)
    case let .masked(masked):
        let upper = masked.requestSizes.upperBound
        fuzzCheck((512...(4 << 20)).contains(upper) && upper <= maxFrame, "accepted masked sizes up to \(upper)")
        checkExchange(masked.exchange)
    case .replay:
        // Replay talks to a service that is not vsockbench: WireCase.spec never gives one.
        fuzzCheck(false, "a hello described a replay case")
    }
}

/// The same hello, sent again, reads the same.
private func checkRoundTrip(_ hello: CaseHello) {
    let frame = ControlCodec.frame(.hello, hello)
    frame.withUnsafeBytes { raw in
        let payload = UnsafeRawBufferPointer(rebasing: raw[FrameHeader.size...])
        do throws(ErrorMessage) {
            let again = try ControlCodec.decode(CaseHello.self, from: payload)
            fuzzCheck(again == hello, "the hello does not survive encode and decode: \(hello) became \(again)")
        } catch {
            fuzzCheck(false, "an accepted hello, encoded again, no longer decodes: \(error)")
        }
    }
}
