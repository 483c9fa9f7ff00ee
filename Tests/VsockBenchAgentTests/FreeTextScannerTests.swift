import Testing

@testable import VsockBenchAgent

@Suite("Free text: embedded emails and card numbers")
struct FreeTextScannerTests {
    private func scan(_ text: String) -> (String, FreeTextScanner.Found) {
        let bytes = Array(text.utf8)
        var found = FreeTextScanner.Found()
        let output = ByteWriter.bytes(capacity: 2 * bytes.count) { writer in
            found = bytes.withUnsafeBytes { FreeTextScanner.scan($0, into: &writer) }
        }
        return (String(decoding: output, as: UTF8.self), found)
    }

    @Test("an email and a card in one note are both masked in place")
    func emailAndCard() {
        let (masked, found) = scan("Contact jose@example.com, card 4111 1111 1111 1111 over the phone.")
        #expect(masked == "Contact ***@example.com, card **** **** **** 1111 over the phone.")
        #expect(found == FreeTextScanner.Found(emails: 1, cards: 1))
    }

    @Test("sentence punctuation after an email is not part of its domain")
    func trailingDot() {
        #expect(scan("Write to a.b@corp.example.net.").0 == "Write to ***@corp.example.net.")
    }

    @Test("card numbers: plain, spaced, dashed, 13 to 19 digits")
    func cardShapes() {
        #expect(scan("Visa 4222222222222 ok").0 == "Visa *********2222 ok")
        #expect(scan("amex 3782-8224-6310-005.").0 == "amex ****-****-***0-005.")
        #expect(scan("19 digits 4000000000000000006").0 == "19 digits ***************0006")
    }

    @Test("a card one space or dash from other digits (an expiry, a quantity) is still masked")
    func cardBesideOtherDigits() {
        let cases: [(String, String, Int)] = [
            ("paid with 4111 1111 1111 1111 12/25", "paid with **** **** **** 1111 12/25", 1),
            ("qty 3 4111111111111111", "qty 3 ************1111", 1),
            ("card 4111 1111 1111 1111 ok", "card **** **** **** 1111 ok", 1),
            ("4111-1111-1111-1111-0042", "****-****-****-1111-0042", 1),
            ("two 4111111111111111 5500 0000 0000 0004 end", "two ************1111 **** **** **** 0004 end", 2),
            ("ref 1 2 3 4111111111111111 9", "ref 1 2 3 ************1111 9", 1),
        ]
        for (text, expected, cards) in cases {
            let (masked, found) = scan(text)
            #expect(masked == expected, "\(text)")
            #expect(found == FreeTextScanner.Found(emails: 0, cards: cards), "\(text)")
        }
        // A number one space before a card can make a Luhn-valid span with its first groups
        // (6 4111 1111 1111 passes): that span alone left the card's last eight digits in
        // plaintext (review). Overlapping spans are masked together, the last four kept.
        for (text, expected) in [
            ("qty 6 4111 1111 1111 1111", "qty * **** **** **** 1111"),
            ("6 4111-1111-1111-1111", "* ****-****-****-1111"),
        ] {
            let (masked, found) = scan(text)
            #expect(masked == expected, "\(text)")
            #expect(found == FreeTextScanner.Found(emails: 0, cards: 1), "\(text)")
        }
        // Groups that make no Luhn-valid card stay.
        for text in ["Order reference 4111 1111 1111 1112 12/25", "qty 3 4111111111111112"] {
            #expect(scan(text).0 == text)
        }
    }

    /// A hostile parent's cell of cards one space apart: each card's end was read again as a
    /// new run to the end of the cell, so time grew with the square of its length (2000 cards
    /// in 2.2 s in a debug build; a 1 MiB cell for minutes of one connection's thread). The rest
    /// of the run is now searched as groups. Every card is masked; 20,000 of them (340 KB) in
    /// well under the 10 s the old way needed several hundred times over.
    @Test func manyCardsInOneRunTakeLinearTime() {
        let cards = 20_000
        let text = String(repeating: "4111111111111111 ", count: cards)
        let started = ContinuousClock.now
        let (masked, found) = scan(text)
        let took = ContinuousClock.now - started
        #expect(found == FreeTextScanner.Found(emails: 0, cards: cards))
        #expect(masked == String(repeating: "************1111 ", count: cards))
        #expect(took < .seconds(10), "\(took) for \(cards) cards")
    }

    @Test("digit runs that fail Luhn, are too short or too long, or touch letters stay")
    func notCards() {
        let untouched = [
            "Order reference 4111 1111 1111 1112 pending review.",  // fails Luhn
            "Paid in 3 instalments of 19.99 each.",
            "short 411111111111",  // 12 digits
            "long 41111111111111111111",  // 20 digits
            "id X4111111111111111",  // glued to a letter
            "Called 3 times, no answer.",
        ]
        for text in untouched {
            let (masked, found) = scan(text)
            #expect(found.isEmpty, "should find nothing in a test sentence")
            #expect(masked == text)
        }
    }

    @Test("an email with an internationalized domain is found and masked whole")
    func nonASCIIDomain() {
        let (masked, found) = scan("mail bob.smith@exämple.de today, or ana@例え.jp")
        #expect(masked == "mail *** today, or ***")
        #expect(found == FreeTextScanner.Found(emails: 2, cards: 0))
    }

    /// Non-ASCII punctuation or text beside an address is the text's, not the address's: it
    /// was taken into the domain (or the local part) and lost with it (review).
    @Test func nonASCIIPunctuationEndsAnAddress() {
        let cases: [(String, String)] = [
            ("Forward to bob@example.com’s inbox", "Forward to ***@example.com’s inbox"),
            ("联系bob@example.com，谢谢", "***@example.com，谢谢"),
            ("écrire à «bob@example.com» merci", "écrire à «***@example.com» merci"),
            ("bob@example.com。顧客は", "***@example.com。顧客は"),
            ("zoë@exämple.de\u{00A0}ok", "***\u{00A0}ok"),
        ]
        for (text, expected) in cases {
            let (masked, found) = scan(text)
            #expect(masked == expected, "\(text)")
            #expect(found == FreeTextScanner.Found(emails: 1, cards: 0), "\(text)")
        }
    }

    @Test("things that only look like emails stay")
    func notEmails() {
        for text in ["@example.com", "user@", "meet @ noon", "user@localhost", "a@.com"] {
            #expect(scan(text).1.isEmpty)
        }
    }

    @Test("non-ASCII text around masked values survives byte for byte")
    func nonASCII() {
        // The local part is non-ASCII: masked whole, not from the first ASCII byte on.
        let (masked, found) = scan("Écrire à zoë-fan@example.fr — 顧客 4111111111111111 ✓ Привет")
        #expect(found == FreeTextScanner.Found(emails: 1, cards: 1))
        #expect(masked == "Écrire à ***@example.fr — 顧客 ************1111 ✓ Привет")
    }

    @Test("a note with nothing to mask is written unchanged")
    func nothingFound() {
        let text = "Bitte Rückruf am Nachmittag."
        let (masked, found) = scan(text)
        #expect(found.isEmpty)
        #expect(masked == text)
    }

    @Test("masking never writes more than twice the text: short local parts grow")
    func growthBound() {
        let text = "a@b.co a@b.co"
        let (masked, found) = scan(text)
        #expect(found.emails == 2)
        #expect(masked == "***@b.co ***@b.co")
        #expect(masked.utf8.count <= 2 * text.utf8.count)
    }

    @Test("Luhn: known numbers pass, altered ones fail")
    func luhn() {
        for number in ["4111111111111111", "5500005555555559", "378282246310005", "6011111111111117"] {
            let digits = number.utf8.map { $0 - 48 }
            #expect(digits.withUnsafeBufferPointer { Luhn.isValid($0) })
            var altered = digits
            altered[altered.count - 1] = (altered[altered.count - 1] + 1) % 10
            #expect(!altered.withUnsafeBufferPointer { Luhn.isValid($0) })
        }
    }
}
