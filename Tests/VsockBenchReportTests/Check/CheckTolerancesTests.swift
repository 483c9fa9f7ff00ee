import Testing

@testable import VsockBenchReport

@Suite struct CheckTolerancesTests {
    @Test("default 10%; a bare value sets every metric; NAME=PCT overrides one; % is optional")
    func parse() throws {
        #expect(try CheckTolerances.parse([]) == .standard)
        #expect(CheckTolerances.standard.fraction(for: .p99) == 0.10)
        let t = try CheckTolerances.parse(["5%", "p99=20%", "exits=2.5", "msgs=7%"])
        #expect(t.fraction(for: .mbps) == 0.05)
        #expect(t.fraction(for: .p99) == 0.20)
        #expect(t.fraction(for: .exits) == 0.025)
        #expect(t.fraction(for: .msgsPerSecond) == 0.07)
        #expect(t.summary == "5%; msgs_per_s 7%, p99 20%, exits 2.5%")
    }

    @Test("unknown metrics, negative or non-numeric values and repeats are errors that say what is allowed")
    func errors() {
        for bad in [["latency99=5%"], ["-5%"], ["ten%"], ["p99="], ["5%", "6%"], ["p99=5%", "p99=6%"]] {
            #expect(throws: CheckInputError.self, "\(bad)") { try CheckTolerances.parse(bad) }
        }
        do {
            _ = try CheckTolerances.parse(["latency99=5%"])
        } catch {
            #expect(error.description.contains("mbps, msgs_per_s, p99, exits"))
        }
    }
}
