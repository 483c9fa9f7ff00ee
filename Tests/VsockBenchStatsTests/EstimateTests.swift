import Foundation
import Testing

@testable import VsockBenchStats

@Suite("Estimate: a point with its interval and how it was made")
struct EstimateTests {
    let estimate = Estimate(
        point: 10, low: 8, high: 13, n: 10, method: .orderStatistics, confidence: 0.95,
        coverage: 0.978515625, reachesConfidence: true)

    @Test("bounds is the [low, high] pair of the JSON documents; the half-width is half the span")
    func boundsAndHalfWidth() {
        #expect(estimate.bounds == [8, 13])
        #expect(estimate.halfWidth == 2.5)
        #expect(estimate.contains(8) && estimate.contains(13) && !estimate.contains(13.01))
    }

    @Test("it encodes with the method's printed name and decodes back to itself")
    func codable() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(estimate), as: UTF8.self)
        #expect(
            json
                == #"{"confidence":0.95,"coverage":0.978515625,"high":13,"low":8,"method":"order statistics","n":10,"point":10,"reachesConfidence":true}"#
        )
        #expect(try JSONDecoder().decode(Estimate.self, from: Data(json.utf8)) == estimate)
        #expect(String(decoding: try encoder.encode(estimate.bounds), as: UTF8.self) == "[8,13]")
    }

    @Test("a bootstrap estimate has no exact coverage and encodes without one")
    func bootstrapEncoding() throws {
        let bootstrap = try #require(try Bootstrap.percentileInterval([1, 2, 3, 4, 5, 6, 7], seed: 3))
        let json = String(decoding: try JSONEncoder().encode(bootstrap), as: UTF8.self)
        #expect(json.contains(#""method":"bootstrap""#) && !json.contains("coverage"))
    }
}
