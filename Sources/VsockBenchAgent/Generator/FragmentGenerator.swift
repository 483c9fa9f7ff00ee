/// Builds an encoded `QueryFragment` of about a requested size: rows are added until the
/// next one would overshoot the target by more than it would undershoot, so the result is
/// within half a row of the target (and holds at least one row).
struct FragmentGenerator {
    private var rows = RowGenerator()

    mutating func makeFragment(id: UInt64, targetSize: Int, using rng: inout Xoshiro256) -> AgentRequest.Parts {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(targetSize + 1024)
        var embedded: [EmbeddedSecret] = []
        ProtoWireWriter.appendVarintField(1, id, to: &bytes)
        bytes.append(contentsOf: FragmentSchema.encodedSQLAndColumns)
        var rowCount = 0
        while true {
            rows.makeRow(using: &rng)
            let body = rows.row
            let rowSize = 1 + ProtoWireWriter.varintSize(UInt64(body.count)) + body.count
            let before = bytes.count
            let after = before + rowSize
            if rowCount > 0 && after > targetSize && after - targetSize > targetSize - before {
                break
            }
            ProtoWireWriter.appendTag(field: 4, wireType: ProtoWireWriter.lengthDelimited, to: &bytes)
            ProtoWireWriter.appendVarint(UInt64(body.count), to: &bytes)
            let base = bytes.count
            bytes.append(contentsOf: body)
            for secret in rows.embedded {
                embedded.append(secret.shifted(by: base))
            }
            rowCount += 1
            if after >= targetSize {
                break
            }
        }
        return AgentRequest.Parts(bytes: bytes, rowCount: rowCount, embedded: embedded)
    }
}
