import Foundation
import Testing
import VsockBenchSupport

/// The facts each side reports now say how its binary was built; a hello ack or a results file
/// from before the key still reads.
@Suite struct HostFactsTests {
    @Test func thisBinarySaysItsBuild() {
        #if DEBUG
        #expect(HostFacts.current().build == BuildConfiguration.debug)
        #else
        #expect(HostFacts.current().build == BuildConfiguration.release)
        #endif
    }

    @Test func anOlderAckWithoutTheKeyReadsAsUnknown() throws {
        let old = #"{"tool":"vsockbench 0.1.0","kernel":"4.14.256","hostname":"enclave","pid":7,"cpus":2}"#
        let facts = try JSONDecoder().decode(HostFacts.self, from: Data(old.utf8))
        #expect(facts.build == nil)
        #expect(facts.kernel == "4.14.256" && facts.pid == 7 && facts.cpus == 2)
    }

    /// Every key is written, `build` null where not said (a document's keys stay stable).
    @Test func everyKeyIsWritten() throws {
        for build in ["release", nil] as [String?] {
            let facts = HostFacts(tool: "t", kernel: "k", hostname: "h", pid: 1, cpus: 2, build: build)
            let data = try JSONEncoder().encode(facts)
            let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            #expect(Set(object.keys) == ["tool", "kernel", "hostname", "pid", "cpus", "build"], "\(object)")
            #expect(try JSONDecoder().decode(HostFacts.self, from: data) == facts)
        }
    }
}
