import Testing
@testable import VsockWire

@Suite struct FrameHeaderTests {
    static func bytes(_ header: FrameHeader) -> [UInt8] {
        var raw = [UInt8](repeating: 0, count: FrameHeader.size)
        raw.withUnsafeMutableBytes { header.encode(into: $0.baseAddress!) }
        return raw
    }

    static func decode(_ raw: [UInt8], max: Int = 1 << 20) throws(FrameError) -> FrameHeader {
        let copy = raw
        var result: Result<FrameHeader, FrameError> = .failure(.truncatedHeader(received: 0))
        copy.withUnsafeBytes { pointer in
            do throws(FrameError) { result = .success(try FrameHeader.decode(from: pointer.baseAddress!, maxPayload: max)) } catch { result = .failure(error) }
        }
        return try result.get()
    }

    @Test func roundTripsEveryField() throws {
        let header = FrameHeader(type: .request, length: 8192, sequence: 0x0102_0304_0506_0708, aux: 4096, flags: 7)
        let raw = Self.bytes(header)
        #expect(Array(raw[0..<4]) == Array("VSKB".utf8))
        #expect(raw[4] == 3)
        #expect(raw[5] == FrameType.request.rawValue)
        #expect(try Self.decode(raw) == header)
    }

    @Test func theMeasuredFlagIsBitZeroOfFlagsOnTheWire() throws {
        let measured = Self.bytes(FrameHeader(type: .request, length: 16, flags: FrameHeader.measuredFlag))
        #expect(Array(measured[6..<8]) == [0, 1])
        #expect(try Self.decode(measured).isMeasured)
        #expect(try !Self.decode(Self.bytes(FrameHeader(type: .request, length: 16))).isMeasured)
    }

    @Test func rejectsBadMagic() {
        var raw = Self.bytes(FrameHeader(type: .request, length: 1))
        raw[0] = UInt8(ascii: "X")
        #expect(throws: FrameError.badMagic(0x5853_4B42)) { try Self.decode(raw) }
    }

    @Test func rejectsOtherVersions() {
        var raw = Self.bytes(FrameHeader(type: .request, length: 1))
        raw[4] = 1
        #expect(throws: FrameError.unsupportedVersion(1)) { try Self.decode(raw) }
    }

    @Test func rejectsUnknownTypes() {
        var raw = Self.bytes(FrameHeader(type: .request, length: 1))
        raw[5] = 200
        #expect(throws: FrameError.unknownType(200)) { try Self.decode(raw) }
    }

    @Test func rejectsLengthsOverTheLimit() throws {
        let raw = Self.bytes(FrameHeader(type: .request, length: 4097))
        #expect(throws: FrameError.tooLarge(length: 4097, max: 4096)) { try Self.decode(raw, max: 4096) }
        #expect(try Self.decode(raw, max: 4097).length == 4097)
    }

    @Test func rejectsContentLongerThanThePayload() {
        var header = FrameHeader(type: .request, length: 100)
        header.content = 101
        #expect(throws: FrameError.badContentLength(content: 101, length: 100)) { try Self.decode(Self.bytes(header)) }
    }

    @Test func paddedFramesKeepTheirContentLength() throws {
        let header = FrameHeader(type: .response, length: 8192, sequence: 3, content: 5000)
        #expect(try Self.decode(Self.bytes(header)).content == 5000)
    }

    @Test func errorsHaveStableCodesAndNoPayload() {
        #expect(FrameError.badMagic(1).code == "bad_magic")
        #expect(FrameError.tooLarge(length: 9, max: 8).description.contains("--max-frame"))
        // Before a case's hello the limit is a control frame's, whatever --max-frame is.
        let early = FrameError.tooLarge(length: 4_194_305, max: ControlCodec.maxPayload).description
        #expect(early.contains("limit of 65536 bytes of a control frame (a frame before the case's hello)"), "\(early)")
        #expect(FrameError.truncatedHeader(received: 3).description.contains("3 of 32"))
    }
}
