import Foundation
import Testing

/// A debug build's figures are its unoptimised code's, not the tool's: the run's JSON says how
/// the driver was built (`host.build`), and the text of run and compare says so in one NOTE
/// (nothing did: a debug run stored as a check baseline or in history read as any other).
@Suite struct BuildNoteTests {
    #if DEBUG
    static let build = "debug"
    #else
    static let build = "release"
    #endif

    @Test(arguments: ["run", "compare"])
    func theRunSaysHowTheDriverWasBuilt(command: String) throws {
        let dir = try Tool.scratch()
        let scenario = try scenarioFile("name: b\ndefaults: {warmup: 0s, messages: 20}\ncases:\n  - {name: a, workload: rr, request_size: 64, response_size: 64}\n  - {name: b, workload: rr, request_size: 128, response_size: 128}\n")
        let result = try Tool.run([command, scenario, "--target", "null", "--json", dir + "/r.json"], timeout: 60)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/r.json"))) as? [String: Any]
        let host = try #require(json?["host"] as? [String: Any])
        #expect(host["build"] as? String == Self.build, "\(host)")
        let notes = result.stdout.split(separator: "\n").filter { $0.hasPrefix("NOTE: the driver is a debug build") }
        #expect(notes.count == (Self.build == "debug" ? 1 : 0), "\(result.stdout)")
        // Under --target null the target is the driver's own process: no build of its own, and
        // no advice to serve it from a release build.
        #expect((host["target"] as? [String: Any])?["build"] is NSNull, "\(host)")
        #expect(!result.stdout.contains("the target is a debug build"), "\(result.stdout)")
    }

    /// The target says how it was built in its hello ack (`host.target.build`): a target
    /// served by hand from a debug build read as the tool's figures. The local target this
    /// run starts is this build's binary.
    @Test func theTargetSaysHowItWasBuilt() throws {
        let dir = try Tool.scratch()
        let scenario = try scenarioFile("name: b\ndefaults: {warmup: 0s, messages: 20}\ncases:\n  - {name: a, workload: rr, request_size: 64, response_size: 64}\n")
        let result = try Tool.run(["run", scenario, "--json", dir + "/r.json"], timeout: 60)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/r.json"))) as? [String: Any]
        let host = try #require(json?["host"] as? [String: Any])
        let target = try #require(host["target"] as? [String: Any], "\(host)")
        #expect(target["build"] as? String == Self.build, "\(target)")
        let driver = try #require(host["driver"] as? [String: Any])
        #expect(driver["build"] as? String == Self.build, "\(driver)")
    }
}
