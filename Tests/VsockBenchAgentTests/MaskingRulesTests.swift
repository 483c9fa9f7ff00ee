import Testing

@testable import VsockBenchAgent

@Suite("Masking rules, one by one")
struct MaskingRulesTests {
    @Test("emails keep their domain only")
    func email() throws {
        #expect(try Fixtures.maskOne("jose.garcia42@example.com", as: .email) == "***@example.com")
        #expect(try Fixtures.maskOne("a+b@mail.example.org", as: .email) == "***@mail.example.org")
        // Without a domain nothing of the value survives.
        #expect(try Fixtures.maskOne("not-an-email", as: .email) == "***")
        #expect(try Fixtures.maskOne("trailing@", as: .email) == "***")
    }

    @Test("an email keeps only a host-name domain: nothing after it rides along")
    func emailDomainOnly() throws {
        let cases: [(String, String)] = [
            ("alice@example.com (Alice Smith, SSN 123-45-6789)", "***"),
            ("alice@example.com 4111111111111111", "***"),
            ("bob@exämple.de", "***"),
            ("bob@-example.com", "***"),
            ("bob@example..com", "***"),
            ("bob@example.com.", "***"),
            ("bob@xn--bcher-kva.example", "***@xn--bcher-kva.example"),
            ("a@b@mail.example.org", "***@mail.example.org"),
            ("bob@localhost", "***@localhost"),
        ]
        for (value, expected) in cases {
            #expect(try Fixtures.maskOne(value, as: .email) == expected, "\(value)")
            // The verifier's own statement of the rule agrees.
            let original = Array(value.utf8), masked = Array(expected.utf8)
            let agrees = original.withUnsafeBytes { original in
                masked.withUnsafeBytes { MaskedFormat.isMaskedEmail($0, original: original) }
            }
            #expect(agrees, "\(value)")
        }
    }

    @Test("card numbers keep their last four digits, separators stay")
    func card() throws {
        #expect(try Fixtures.maskOne("4111111111111111", as: .card) == "************1111")
        #expect(try Fixtures.maskOne("4111 1111 1111 1111", as: .card) == "**** **** **** 1111")
        #expect(try Fixtures.maskOne("3782-822463-10005", as: .card) == "****-******-*0005")
        // Four digits or fewer: keeping four would reveal everything, so none are kept.
        #expect(try Fixtures.maskOne("1234", as: .card) == "****")
    }

    @Test("phone numbers keep their last two digits")
    func phone() throws {
        #expect(try Fixtures.maskOne("+1 (555) 013-4567", as: .phone) == "+* (***) ***-**67")
        #expect(try Fixtures.maskOne("+44 20 7946 0958", as: .phone) == "+** ** **** **58")
    }

    @Test("national ids are fully redacted, whatever their length")
    func nationalID() throws {
        #expect(try Fixtures.maskOne("123-45-6789", as: .nationalID) == "[REDACTED]")
        #expect(try Fixtures.maskOne("AB123456C", as: .nationalID) == "[REDACTED]")
        #expect(try Fixtures.maskOne("12 34 56 789 012 345 678", as: .nationalID) == "[REDACTED]")
    }

    @Test("names become a keyed token of fixed length")
    func name() throws {
        let token = try Fixtures.maskOne("Ada Lovelace", as: .name)
        #expect(token.hasPrefix("tok_"))
        #expect(token.utf8.count == 20)
        #expect(token != "Ada Lovelace")
        #expect(MaskedFormat.isNameToken(UnsafeRawBufferPointer(start: nil, count: 0)) == false)
    }

    @Test("token hex digits are computed correctly, most significant first")
    func tokenHex() {
        for (value, text) in [(UInt32(0x0123_ABCD), "0123abcd"), (0, "00000000"), (.max, "ffffffff"), (0x9A0F_5E61, "9a0f5e61")] {
            let digits = NameTokenizer.hexDigits(value)
            #expect(withUnsafeBytes(of: digits) { String(decoding: $0, as: UTF8.self) } == text)
        }
        let token = ByteWriter.bytes(capacity: 20) { writer in
            Array("Ada".utf8).withUnsafeBytes { NameTokenizer(key: (1, 2)).writeToken(for: $0, into: &writer) }
        }
        let hash = Array("Ada".utf8).withUnsafeBytes { SipHash24(key: (1, 2)).hash($0) }
        #expect(String(decoding: token, as: UTF8.self) == "tok_" + String(hash, radix: 16).leftPadded(to: 16))
    }

    @Test("non-sensitive cells and empty cells pass unchanged and are not counted")
    func unchanged() throws {
        var masker = AgentMasker(connectionKey: Fixtures.key)
        let fragment = Fixtures.fragment(
            classes: [.none, .email, .card, .phone, .nationalID, .name, .freeText],
            rows: [["12.50", "", "", "", "", "", ""]])
        let (result, _) = try Fixtures.mask(fragment, masker: &masker)
        #expect(result.rows[0].cells.map(Fixtures.text) == ["12.50", "", "", "", "", "", ""])
        #expect(result.counts == Vsockbench_Agent_MaskCounts())
    }

    @Test("a column of an unknown class is redacted whole")
    func unknownClass() throws {
        #expect(try Fixtures.maskOne("anything", as: .UNRECOGNIZED(42)) == "[REDACTED]")
    }

    @Test("counts tally each class")
    func counts() throws {
        var masker = AgentMasker(connectionKey: Fixtures.key)
        let fragment = Fixtures.fragment(
            classes: [.name, .email, .card, .phone, .nationalID, .freeText],
            rows: [
                ["Ada", "a@example.com", "4111111111111111", "+1 555", "123", "mail b@example.com, card 4111 1111 1111 1111."],
                ["Bob", "b@example.com", "5500005555555559", "", "456", "nothing here"],
            ])
        let (result, _) = try Fixtures.mask(fragment, masker: &masker)
        var expected = Vsockbench_Agent_MaskCounts()
        expected.names = 2
        expected.emails = 2
        expected.cards = 2
        expected.phones = 1
        expected.nationalIds = 2
        expected.freeTextEmails = 1
        expected.freeTextCards = 1
        #expect(result.counts == expected)
        #expect(result.fragmentID == 7)
        #expect(result.columns == fragment.columns)
    }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String {
        String(repeating: "0", count: max(0, length - count)) + self
    }
}
