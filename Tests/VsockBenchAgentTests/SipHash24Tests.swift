import Testing

@testable import VsockBenchAgent

@Suite("SipHash-2-4")
struct SipHash24Tests {
    /// The reference vectors of the SipHash paper: key 00..0f, message 00..(n-1).
    @Test("matches the reference vectors")
    func referenceVectors() {
        let hasher = SipHash24(key: (0x0706_0504_0302_0100, 0x0F0E_0D0C_0B0A_0908))
        let expected: [Int: UInt64] = [0: 0x726F_DB47_DD0E_0E31, 1: 0x74F8_39C5_93DC_67FD, 15: 0xA129_CA61_49BE_45E5]
        for (length, hash) in expected {
            let message = (0..<length).map { UInt8($0) }
            #expect(message.withUnsafeBytes { hasher.hash($0) } == hash)
        }
    }
}
