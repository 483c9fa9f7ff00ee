import Foundation
import Testing
@testable import VsockBenchSupport

/// Decoding failures are named by position, never by value: what a peer sent stays out of
/// the target's log and error frames.
@Suite struct DecodingErrorTextTests {
    struct Inner: Codable { var size: Int }
    struct Outer: Codable { var name: String; var cases: [Inner] }

    static func text(_ json: String) -> String {
        do {
            _ = try JSONDecoder().decode(Outer.self, from: Data(json.utf8))
            return "decoded"
        } catch {
            return DecodingErrorText.describe(error)
        }
    }

    @Test func eachKindIsNamedByItsPlace() {
        #expect(Self.text(#"{"cases": []}"#) == "the key 'name' is missing")
        #expect(Self.text(#"{"name": "a", "cases": [{"size": 1}, {"size": "SECRET-VALUE"}]}"#) == "the value at 'cases[1].size' has the wrong type")
        #expect(Self.text(#"{"name": null, "cases": []}"#) == "the value at 'name' is null")
        #expect(Self.text("{not json SECRET") == "not valid JSON")
        #expect(DecodingErrorText.describe(CocoaError(.fileNoSuchFile)) == "not readable")
    }

    @Test func noValueReachesTheText() {
        for json in [#"{"name": 5, "cases": "SECRET"}"#, #"{"name": "SECRET", "cases": [{"size": "SECRET"}]}"#, "SECRET"] {
            #expect(!Self.text(json).contains("SECRET"), "\(Self.text(json))")
        }
    }
}
