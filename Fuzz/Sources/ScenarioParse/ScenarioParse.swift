#if canImport(Glibc)
import Glibc
#endif
import FuzzSupport
import VsockBenchEngine
import VsockBenchModel
import VsockBenchSupport
import VsockWire

/// The scenario loader (`ScenarioLoader.parse(text, file:)`, YAML through Yams) on any text.
///
/// Input: the file's bytes, decoded as `ScenarioLoader.load` decodes them (UTF-8, invalid
/// sequences replaced).
///
/// Checks: parsing returns a scenario or throws a `ScenarioError` holding at least one
/// diagnostic, each with a message and a line (when it has one) of 1 or more. For a scenario it
/// accepts: at least one case, unique names, and every case inside the bounds a target checks
/// (`limitProblems`, under the 64 MiB case bound: "the scenario loader enforces the same bounds
/// key by key"), both as loaded and as the target rebuilds it from the hello
/// (`WireCase(spec).spec`); the wire form keeps the case's workload (less the open-loop rate,
/// which paces the driver alone), connections, seed and
/// socket options; the hello carrying it encodes and decodes back to itself; and what the
/// driver prints about a case does not trap. Cases the target never sees (replay, raw streams:
/// no hello describes them) are held to the bounds only; a replay case has no wire form.
///
/// A replay case reads its corpus file while the scenario loads. The scenario "lives" in a
/// scratch directory holding two small corpora (`messages.u32be`, `messages.line`), and inputs
/// that could name a file outside it are skipped (return -1, kept out of the corpus): any
/// backslash (a double-quoted YAML escape can spell any path), or `corpus` together with a
/// `/`. Otherwise a path like /dev/zero would read 256 MiB (a false out-of-memory finding) and
/// a FIFO would hang.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzScenarioParse(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data.map(UnsafeRawPointer.init), count: data == nil ? 0 : size)
    if bytes.contains(UInt8(ascii: "\\")) || (bytes.contains(UInt8(ascii: "/")) && contains(bytes, "corpus")) { return -1 }
    let text = String(decoding: bytes, as: UTF8.self)
    let scenario: Scenario
    do throws(ScenarioError) {
        scenario = try ScenarioLoader.parse(text, file: CorpusDirectory.path + "/fuzz.yaml")
    } catch {
        fuzzCheck(!error.diagnostics.isEmpty, "a ScenarioError without diagnostics")
        for diagnostic in error.diagnostics {
            fuzzCheck(!diagnostic.message.isEmpty, "a diagnostic without a message")
            if let line = diagnostic.line { fuzzCheck(line >= 1, "a diagnostic at line \(line)") }
            _ = diagnostic.description
        }
        return 0
    }
    fuzzCheck(!scenario.cases.isEmpty, "a scenario without cases was accepted")
    fuzzCheck(Set(scenario.cases.map(\.name)).count == scenario.cases.count, "duplicate case names were accepted")
    for spec in scenario.cases {
        checkCase(spec)
    }
    return 0
}

private func checkCase(_ spec: CaseSpec) {
    let problems = spec.limitProblems()
    fuzzCheck(problems.isEmpty, "the loader accepted case '\(spec.name)', which the case bounds refuse: \(problems)")
    let wire = WireCase(spec)
    if spec.workload.isForeign {
        // Sent to a service that is not vsockbench: no hello carries it.
        if case .replay = spec.workload {
            fuzzCheck(wire.spec == nil, "replay case '\(spec.name)' has a wire form a target would accept")
        }
        _ = spec.largestPayload
        _ = spec.describedSizes
        _ = spec.strategySummary
        _ = spec.messageSizes
        return
    }
    guard let rebuilt = wire.spec else {
        fuzzCheck(false, "case '\(spec.name)' has no wire form the target can read")
        return
    }
    // The open-loop rate paces the driver alone: the wire form leaves it out.
    var sent = spec
    sent.updateExchange { $0.rate = nil }
    fuzzCheck(rebuilt.workload == sent.workload && rebuilt.connections == spec.connections && rebuilt.seed == spec.seed
        && rebuilt.socket == spec.socket && rebuilt.name == spec.name, "case '\(spec.name)' changes on the wire")
    let targetProblems = rebuilt.limitProblems()
    fuzzCheck(targetProblems.isEmpty, "the loader accepted case '\(spec.name)', which a target refuses: \(targetProblems)")
    _ = spec.largestPayload
    _ = spec.describedSizes
    _ = spec.strategySummary
    _ = spec.messageSizes

    let facts = HostFacts(tool: "fuzz", kernel: "6.1", hostname: "fuzz", pid: 1, cpus: 2)
    let hello = CaseHello(role: .data, session: 1, connection: 0, spec: wire, driver: facts)
    let frame = ControlCodec.frame(.hello, hello)
    frame.withUnsafeBytes { raw in
        do throws(ErrorMessage) {
            let decoded = try ControlCodec.decode(CaseHello.self, from: UnsafeRawBufferPointer(rebasing: raw[FrameHeader.size...]))
            fuzzCheck(decoded == hello, "the hello for case '\(spec.name)' does not survive encode and decode")
        } catch {
            fuzzCheck(false, "the hello for case '\(spec.name)' does not decode: \(error)")
        }
    }
}

/// Whether `bytes` holds `needle` (ASCII).
private func contains(_ bytes: UnsafeRawBufferPointer, _ needle: StaticString) -> Bool {
    let count = needle.utf8CodeUnitCount
    guard count > 0, bytes.count >= count else { return false }
    let first = needle.utf8Start
    for offset in 0...(bytes.count - count) where memcmp(bytes.baseAddress! + offset, first, count) == 0 {
        return true
    }
    return false
}

/// The scratch directory the fuzzed scenario lives in, with the corpora a replay case may name.
/// A normal exit (libFuzzer's when its runs or time are up) removes it and its files; a crash,
/// timeout or leak ends the process with `_Exit` and leaves them.
private enum CorpusDirectory {
    static let path: String = {
        var template = Array("/tmp/vsockbench-fuzz-scenario.XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { fatalError("mkdtemp failed: errno \(errno)") }
        let path = String(cString: made)
        atexit {
            for file in CorpusDirectory.files { _ = unlink(CorpusDirectory.path + "/" + file) }
            _ = rmdir(CorpusDirectory.path)
        }
        // Three u32be messages (0, 3 and 5 bytes); two lines.
        write(path + "/messages.u32be", [0, 0, 0, 0, 0, 0, 0, 3, 0x61, 0x62, 0x63, 0, 0, 0, 5, 1, 2, 3, 4, 5])
        write(path + "/messages.line", Array("hello\nworld\n".utf8))
        return path
    }()

    /// The files `path` holds.
    private static let files = ["messages.u32be", "messages.line"]

    private static func write(_ file: String, _ bytes: [UInt8]) {
        guard let handle = fopen(file, "wb") else { fatalError("cannot create \(file)") }
        _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, handle) }
        fclose(handle)
    }
}
