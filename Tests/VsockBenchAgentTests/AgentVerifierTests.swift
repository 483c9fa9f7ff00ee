import Foundation
import SwiftProtobuf
import Testing

@testable import VsockBenchAgent

@Suite("AgentVerifier")
struct AgentVerifierTests {
    /// A request and the masker's correct response to it.
    private func exchange(seed: UInt64 = 21, sequence: UInt64 = 0, size: Int = 8192) throws -> (AgentRequest, [UInt8]) {
        var generator = AgentRequestGenerator(seed: seed, sizes: .fixed(size))
        let request = generator.makeRequest(sequence: sequence)
        var masker = AgentMasker(connectionKey: Fixtures.key)
        var output: [UInt8] = []
        _ = try request.bytes.withUnsafeBytes { try masker.process(request: $0, into: &output) }
        return (request, output)
    }

    /// Decodes a response, lets `edit` change it, re-encodes it.
    private func tamper(_ response: [UInt8], _ edit: (inout MaskedResultSet) -> Void) throws -> [UInt8] {
        var message = try MaskedResultSet(serializedBytes: response)
        edit(&message)
        return try message.serializedBytes()
    }

    private func original(_ request: AgentRequest, row: Int, column: Int) throws -> Data {
        try QueryFragment(serializedBytes: request.bytes).rows[row].cells[column]
    }

    @Test("correct responses pass, over many requests, sizes and one connection")
    func correctResponsesPass() throws {
        var generator = AgentRequestGenerator(seed: 99, sizes: .lognormal(median: 8192, sigma: 1))
        var masker = AgentMasker(connectionKey: Fixtures.key)
        var verifier = AgentVerifier()
        var output: [UInt8] = []
        for sequence in 0..<200 as Range<UInt64> {
            let request = generator.makeRequest(sequence: sequence)
            _ = try request.bytes.withUnsafeBytes { try masker.process(request: $0, into: &output) }
            let failure = verifier.verify(response: output, for: request)
            #expect(failure == nil, "sequence \(sequence): \(failure?.description ?? "")")
        }
    }

    @Test("an original email put back into its cell is caught, by row and column, without the value")
    func leakInColumn() throws {
        let (request, response) = try exchange()
        let email = try original(request, row: 3, column: 2)
        let leaked = try tamper(response) { $0.rows[3].cells[2] = email }
        var verifier = AgentVerifier()
        let outcome = verifier.verify(response: leaked, for: request)
        let failure = try #require(outcome)
        #expect(failure.row == 3)
        #expect(failure.column == "email")
        #expect(failure.rule == .leakedSensitiveValue(sourceColumn: "email"))
        #expect(!failure.description.contains(Fixtures.text(email)))
        #expect(!failure.description.contains("@"))
        #expect(failure.description == "response, row 3, column email: leak: a sensitive value generated for column email is present")
    }

    @Test("an original email hidden in another column's text is caught where it shows")
    func leakInOtherColumn() throws {
        let (request, response) = try exchange()
        let email = try original(request, row: 5, column: 2)
        let leaked = try tamper(response) { $0.rows[5].cells[8].append(email) }
        var verifier = AgentVerifier()
        let outcome = verifier.verify(response: leaked, for: request)
        let failure = try #require(outcome)
        #expect(failure.row == 5 && failure.column == "city")
        #expect(failure.rule == .leakedSensitiveValue(sourceColumn: "email"))
    }

    @Test("an email split across two cells is still caught: the whole row is searched")
    func leakAcrossCells() throws {
        let (request, response) = try exchange()
        let email = try original(request, row: 2, column: 2)
        let leaked = try tamper(response) {
            $0.rows[2].cells[7].append(email.prefix(4))
            $0.rows[2].cells[8] = email.dropFirst(4) + $0.rows[2].cells[8]
        }
        var verifier = AgentVerifier()
        let outcome = verifier.verify(response: leaked, for: request)
        #expect(outcome == AgentVerificationFailure(row: 2, column: "created_at", rule: .leakedSensitiveValue(sourceColumn: "email")))
    }

    @Test("a planted card left unmasked in free text is caught")
    func leakInFreeText() throws {
        let (request, response) = try exchange(size: 65_536)
        let card = try #require(request.embedded.first { $0.kind == .card })
        let fragment = try QueryFragment(serializedBytes: request.bytes)
        // Find the row holding it: the one whose note contains its digits.
        let digits = Data(request.bytes[card.range])
        let row = try #require(fragment.rows.firstIndex { $0.cells[9].range(of: digits) != nil })
        let leaked = try tamper(response) { $0.rows[row].cells[9] = fragment.rows[row].cells[9] }
        var verifier = AgentVerifier()
        let outcome = verifier.verify(response: leaked, for: request)
        let failure = try #require(outcome)
        #expect(failure.row == row && failure.column == "note")
        #expect(failure.rule == .leakedSensitiveValue(sourceColumn: "note"))
    }

    @Test("wrong formats, changed values, wrong counts and ids are each named")
    func rules() throws {
        let (request, response) = try exchange()
        var cases: [(AgentVerificationFailure, (inout MaskedResultSet) -> Void)] = [
            (.init(row: 1, column: "email", rule: .emailFormat), { $0.rows[1].cells[2] = Data("***@other.example".utf8) }),
            (.init(row: 1, column: "card_number", rule: .cardFormat), { $0.rows[1].cells[3] = Data("****".utf8) }),
            (.init(row: 1, column: "national_id", rule: .nationalIDFormat), { $0.rows[1].cells[5] = Data("***".utf8) }),
            (.init(row: 1, column: "customer_name", rule: .nameTokenFormat), { $0.rows[1].cells[1] = Data("someone".utf8) }),
            (.init(row: 1, column: "amount", rule: .nonSensitiveValueChanged), { $0.rows[1].cells[6] = Data("0.00".utf8) }),
            (.init(row: 2, column: nil, rule: .cellCountMismatch(expected: 10, actual: 9)), { $0.rows[2].cells.removeLast() }),
            (.init(row: 2, column: nil, rule: .malformedRow), { $0.rows[2].valueLengths[0] += 1 }),
            (.init(row: nil, column: nil, rule: .rowCountMismatch(expected: request.rowCount, actual: request.rowCount - 1)),
             { $0.rows.removeLast() }),
            (.init(row: nil, column: nil, rule: .fragmentIDMismatch), { $0.fragmentID += 1 }),
            (.init(row: nil, column: nil, rule: .maskedCountMismatch(kind: "emails", expected: request.rowCount, actual: 0)),
             { $0.counts.emails = 0 }),
        ]
        // A phone the masker kept too many digits of.
        cases.append((.init(row: 0, column: "phone", rule: .phoneFormat), { $0.rows[0].cells[4] = Data("+".utf8) }))
        for (expected, edit) in cases {
            var verifier = AgentVerifier()
            let outcome = verifier.verify(response: try tamper(response, edit), for: request)
            #expect(outcome == expected)
        }
        var verifier = AgentVerifier()
        let outcome = verifier.verify(response: [0xFF, 0xFF], for: request)
        #expect(outcome?.rule == .undecodableResponse)
    }

    @Test("a name that changes token across messages of one connection is caught")
    func inconsistentTokens() throws {
        let fragment = Fixtures.fragment(id: 1, classes: [.name], rows: [["Ada Lovelace"]])
        let request = AgentRequest(fragmentID: 1, bytes: try fragment.serializedBytes(), rowCount: 1)
        var first = AgentMasker(connectionKey: (1, 1))
        var second = AgentMasker(connectionKey: (2, 2))
        var output: [UInt8] = []
        var verifier = AgentVerifier()
        _ = try request.bytes.withUnsafeBytes { try first.process(request: $0, into: &output) }
        let firstOutcome = verifier.verify(response: output, for: request)
        #expect(firstOutcome == nil)
        _ = try request.bytes.withUnsafeBytes { try second.process(request: $0, into: &output) }
        let failure = verifier.verify(response: output, for: request)
        #expect(failure == AgentVerificationFailure(row: 0, column: "c0", rule: .nameTokenInconsistent))
    }

    @Test("two names sharing one token are caught")
    func sharedToken() throws {
        let fragment = Fixtures.fragment(id: 1, classes: [.name], rows: [["Ada"], ["Bob"]])
        let request = AgentRequest(fragmentID: 1, bytes: try fragment.serializedBytes(), rowCount: 2)
        var masker = AgentMasker(connectionKey: Fixtures.key)
        var output: [UInt8] = []
        _ = try request.bytes.withUnsafeBytes { try masker.process(request: $0, into: &output) }
        let collided = try tamper(output) { $0.rows[1].cells[0] = $0.rows[0].cells[0] }
        var verifier = AgentVerifier()
        let outcome = verifier.verify(response: collided, for: request)
        #expect(outcome?.rule == .nameTokenInconsistent)
    }
}
