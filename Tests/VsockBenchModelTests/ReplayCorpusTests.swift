import Testing
import VsockWire
@testable import VsockBenchModel

/// A corpus that cannot be split names the message and its offset, never its bytes.
@Suite struct ReplayCorpusTests {
    static func problem(_ text: String, framing: MessageFraming) -> String? {
        do throws(CorpusError) {
            _ = try ReplayCorpus.split(Array(text.utf8), path: "c", framing: framing, limit: 1 << 20)
            return nil
        } catch {
            return error.reason
        }
    }

    @Test("a line corpus whose last line has no newline says so, with its offset, not that it is cut short")
    func lineCorpusWithoutFinalNewline() throws {
        let reason = try #require(Self.problem("first line\nSECRET-no-newline", framing: .line))
        #expect(reason.contains("message 2 at byte offset 11, the last line, has no newline at its end"), "\(reason)")
        #expect(reason.contains("end the file with a newline"), "\(reason)")
        #expect(!reason.contains("cut short") && !reason.contains("is the framing"), "\(reason)")
        #expect(!reason.contains("SECRET"), "\(reason)")
        // With its newline, the same corpus splits into its two lines.
        #expect(Self.problem("first line\nSECRET-no-newline\n", framing: .line) == nil)
    }

    /// Each message costs its index in memory whatever its size: 256MiB of empty messages
    /// took 3.4GB to load (review). Past the count, refused, with where the count ran out.
    @Test("a corpus of more messages than the most is refused by its count, before its index grows")
    func tooManyMessages() throws {
        var bytes: [UInt8] = []
        for _ in 0..<4 { MessageFraming.u32be.encode([], into: &bytes) }
        #expect((try? ReplayCorpus.split(bytes, path: "c", framing: .u32be, limit: 1024, maximumMessages: 4))?.messages.count == 4)
        MessageFraming.u32be.encode([7], into: &bytes)
        do throws(CorpusError) {
            _ = try ReplayCorpus.split(bytes, path: "c", framing: .u32be, limit: 1024, maximumMessages: 4)
            Issue.record("5 messages split with a most of 4")
        } catch {
            #expect(error.reason.hasPrefix("holds more than 4 messages (the first 4 end at byte offset 16); a corpus is at most 4 messages"), "\(error.reason)")
        }
        #expect(ReplayCorpus.maximumMessages * 2 * MemoryLayout<Range<Int>>.size <= 128 << 20, "the index of the most messages stays within 128MiB")
    }

    @Test("ASCII read as a u32be length: the framing is asked about once, the limit given once, as a size")
    func implausibleLengthSaidOnce() throws {
        let bytes = Array("SECRETMARKERaaaa".utf8)
        do throws(CorpusError) {
            _ = try ReplayCorpus.split(bytes, path: "c", framing: .u32be, limit: CaseSpec.maxBuffer)
            Issue.record("the corpus split")
        } catch {
            // It read "... likely message bytes read as a length (is the framing u32be?), over
            // the limit of 67108864 (is the framing u32be?)".
            #expect(error.reason == "message 1 at byte offset 0: a u32be length of about 1.3GiB, over the limit of 64MiB, likely message bytes read as a length (is the framing u32be?)")
            #expect(!error.reason.contains("SECRET"))
        }
    }

    @Test("a length-prefixed message the file ends inside is cut short, as before")
    func lengthPrefixedCutShort() throws {
        let reason = try #require(Self.problem("\u{0}\u{0}\u{0}\u{9}SECRET", framing: .u32be))
        #expect(reason.contains("message 1 at byte offset 0 is cut short by the end of the file (is the framing u32be?)"), "\(reason)")
        #expect(!reason.contains("SECRET"), "\(reason)")
    }
}
