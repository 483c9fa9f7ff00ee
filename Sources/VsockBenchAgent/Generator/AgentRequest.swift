/// One request of the masked workload: the encoded `QueryFragment` to send, and what the
/// client needs to verify the response.
///
/// The request bytes hold every generated value with its column's sensitivity class, so the
/// only extra record is where the generator planted secrets inside free text. Keeping a
/// request costs its bytes plus a few ranges; nothing is copied out cell by cell.
public struct AgentRequest: Sendable {
    /// The sequence number it was generated for (the request depends on seed and sequence only).
    public let sequence: UInt64
    /// The fragment id the response must carry (equal to `sequence`).
    public let fragmentID: UInt64
    /// The encoded size the size distribution asked for; `bytes.count` is within half a row of it.
    public let targetSize: Int
    /// How many rows the fragment holds.
    public let rowCount: Int
    /// The encoded `QueryFragment`, ready to frame and send.
    public let bytes: [UInt8]
    /// Secrets planted in free-text cells, as byte ranges of `bytes`.
    let embedded: [EmbeddedSecret]

    /// What a fragment generator returns.
    struct Parts {
        var bytes: [UInt8]
        var rowCount: Int
        var embedded: [EmbeddedSecret]
    }

    init(sequence: UInt64, targetSize: Int, parts: Parts) {
        self.sequence = sequence
        self.fragmentID = sequence
        self.targetSize = targetSize
        self.rowCount = parts.rowCount
        self.bytes = parts.bytes
        self.embedded = parts.embedded
    }

    /// A request around hand-made fragment bytes (tests, replays): `embedded` lists the
    /// secrets planted in free-text cells, which the verifier cannot guess.
    init(fragmentID: UInt64, bytes: [UInt8], rowCount: Int, embedded: [EmbeddedSecret] = []) {
        self.sequence = fragmentID
        self.fragmentID = fragmentID
        self.targetSize = bytes.count
        self.rowCount = rowCount
        self.bytes = bytes
        self.embedded = embedded
    }
}
