import FuzzSupport
import VsockBenchAgent

/// The driver's check of the agent's responses (`AgentVerifier`) on responses from a target
/// that may say anything.
///
/// Input: byte 0 the generator's seed (0-7), byte 1 the request's size (512 + 32 x byte bytes,
/// up to about 8.6 KiB), then the response to verify. Requests are generated
/// (`AgentRequestGenerator`, sequence 0, then 1), as the driver does: a request does not come
/// from outside.
///
/// The verifier first accepts the genuine response to request 0 (the masker's own output),
/// so that the fuzzed response meets a verifier that already holds name tokens, as on a live
/// connection; then it checks the fuzzed response against request 1. It must return nil or a
/// failure, and give the same answer twice from the same starting state.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAgentVerify(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let seed = UInt64(input.byte() & 7)
    let requestSize = 512 + 32 * Int(input.byte())
    let response = input.rest()

    let connection = VerifiedConnection.cached(seed: seed, requestSize: requestSize)
    var verifier = connection.verifier
    var again = connection.verifier
    let verdict = verifier.verify(response: response, for: connection.next)
    let repeated = again.verify(response: response, for: connection.next)
    fuzzCheck(verdict == repeated, "two verdicts on the same response: \(String(describing: verdict)) and \(String(describing: repeated))")
    if let verdict { _ = verdict.description }
    return 0
}

/// A connection's state before the fuzzed response: a verifier that has accepted the genuine
/// response to request 0, and request 1. Generating and masking a request costs far more than
/// verifying one, so each (seed, size) is built once per process (8 x 256 of them at most,
/// each a few KiB); the result depends on the pair only, so inputs still replay exactly.
struct VerifiedConnection {
    let verifier: AgentVerifier
    let next: AgentRequest

    nonisolated(unsafe) private static var cache: [Int: VerifiedConnection] = [:]

    static func cached(seed: UInt64, requestSize: Int) -> VerifiedConnection {
        let key = Int(seed) << 32 | requestSize
        if let known = cache[key] { return known }
        let made = make(seed: seed, requestSize: requestSize)
        cache[key] = made
        return made
    }

    private static func make(seed: UInt64, requestSize: Int) -> VerifiedConnection {
        var generator = AgentRequestGenerator(seed: seed, sizes: .fixed(requestSize))
        let first = generator.makeRequest(sequence: 0)
        let second = generator.makeRequest(sequence: 1)
        var masker = AgentMasker(connectionKey: (seed, 0x5EED))
        var genuine: [UInt8] = []
        first.bytes.withUnsafeBytes { raw in
            do throws(AgentError) {
                _ = try masker.process(request: raw, into: &genuine)
            } catch {
                fuzzCheck(false, "the agent refused a generated request: \(error)")
            }
        }
        var verifier = AgentVerifier()
        let verdict = verifier.verify(response: genuine, for: first)
        fuzzCheck(verdict == nil, "the verifier refused the agent's own response: \(verdict.map(String.init(describing:)) ?? "")")
        return VerifiedConnection(verifier: verifier, next: second)
    }
}
