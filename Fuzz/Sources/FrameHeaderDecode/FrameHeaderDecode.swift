import FuzzSupport
import VsockWire

/// `FrameHeader.decode` alone, against a reference decoder written here from the header's
/// documented layout.
///
/// Input: byte 0 picks the header's misalignment (0-7 bytes past a 16-byte boundary), bytes
/// 1-4 the `maxPayload` limit (big-endian u32), then the 32 header bytes (zeros if short). The
/// header is copied into an allocation of exactly offset + 32 bytes, so ASan sees any read past
/// the header.
///
/// Checks: decode throws exactly the error the reference expects, in the same order of checks
/// (magic, version, type, length against the limit, content against length), or returns the
/// reference's fields; a decoded header encodes back to the same first 28 bytes (the reserved
/// word is written as zero), and decodes again to itself.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrameHeaderDecode(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let offset = Int(input.byte() & 7)
    let maxPayload = Int(UInt32(input.uint16()) << 16 | UInt32(input.uint16()))
    let rest = input.rest()
    let headerBytes = UnsafeRawBufferPointer(rebasing: rest.prefix(FrameHeader.size))

    let block = UnsafeMutableRawPointer.allocate(byteCount: offset + FrameHeader.size, alignment: 16)
    defer { block.deallocate() }
    block.initializeMemory(as: UInt8.self, repeating: 0, count: offset + FrameHeader.size)
    let header = block + offset
    header.copyMemory(from: headerBytes.baseAddress ?? UnsafeRawPointer(block), byteCount: headerBytes.count)

    let expected = ReferenceFrameHeader.decode(UnsafeRawBufferPointer(start: header, count: FrameHeader.size), maxPayload: maxPayload)
    let actual: Result<FrameHeader, FrameError>
    do throws(FrameError) {
        actual = .success(try FrameHeader.decode(from: header, maxPayload: maxPayload))
    } catch {
        actual = .failure(error)
    }

    switch (expected, actual) {
    case let (.failure(want), .failure(got)):
        fuzzCheck(want == got, "decode threw \(got), the reference expects \(want)")
        _ = got.code
        _ = got.description
    case let (.failure(want), .success(got)):
        fuzzCheck(false, "decode accepted \(got), the reference expects \(want)")
    case let (.success(want), .failure(got)):
        fuzzCheck(false, "decode threw \(got), the reference accepts \(want)")
    case let (.success(want), .success(got)):
        fuzzCheck(want.matches(got), "decode returned \(got), the reference reads \(want)")
        checkRoundTrip(got, original: header, maxPayload: maxPayload)
    }
    return 0
}

private func checkRoundTrip(_ decoded: FrameHeader, original: UnsafeRawPointer, maxPayload: Int) {
    withUnsafeTemporaryAllocation(byteCount: FrameHeader.size, alignment: 16) { scratch in
        guard let base = scratch.baseAddress else { return }
        decoded.encode(into: base)
        for index in 0..<28 {
            fuzzCheck(scratch[index] == original.load(fromByteOffset: index, as: UInt8.self), "encode differs from the decoded bytes at offset \(index)")
        }
        for index in 28..<32 {
            fuzzCheck(scratch[index] == 0, "encode wrote a non-zero reserved byte at offset \(index)")
        }
        do throws(FrameError) {
            let again = try FrameHeader.decode(from: base, maxPayload: maxPayload)
            fuzzCheck(again == decoded, "decode(encode(h)) is \(again), not \(decoded)")
        } catch {
            fuzzCheck(false, "a header that decoded, encoded, no longer decodes: \(error)")
        }
    }
}
