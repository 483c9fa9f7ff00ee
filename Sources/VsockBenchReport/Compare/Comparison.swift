import FoundationEssentials
import VsockBenchSupport

/// `compare`: every case of a run side by side against the first one (the baseline).
public struct Comparison: Codable, Sendable, Equatable {
    public struct Row: Codable, Sendable, Equatable {
        public var name: String
        public var workload: String
        public var strategy: String
        public var mbps: Double
        public var msgsPerSecond: Double
        public var p50Micros: Double?
        public var p99Micros: Double?
        public var writesPerMessage: Double?
        public var readsPerMessage: Double?
        public var targetWritesPerMessage: Double?
        public var targetReadsPerMessage: Double?
        /// From the probe, when it ran.
        public var exitsPerMessage: Double?
        public var vsockPacketsPerMessage: Double?
        /// Mbps and messages/s against the baseline (1.0 for the baseline itself).
        public var mbpsRatio: Double?
        public var msgsRatio: Double?
        public var verified: Bool

        enum CodingKeys: String, CodingKey {
            case name, workload, strategy, mbps, msgsPerSecond = "msgs_per_s", p50Micros = "p50_us", p99Micros = "p99_us"
            case writesPerMessage = "writes_per_msg", readsPerMessage = "reads_per_msg"
            case targetWritesPerMessage = "target_writes_per_msg", targetReadsPerMessage = "target_reads_per_msg"
            case exitsPerMessage = "exits_per_msg", vsockPacketsPerMessage = "vsock_packets_per_msg"
            case mbpsRatio = "mbps_ratio", msgsRatio = "msgs_ratio", verified
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name)
            try c.encode(workload, forKey: .workload)
            try c.encode(strategy, forKey: .strategy)
            try c.encode(mbps, forKey: .mbps)
            try c.encode(msgsPerSecond, forKey: .msgsPerSecond)
            try c.encode(p50Micros, forKey: .p50Micros)
            try c.encode(p99Micros, forKey: .p99Micros)
            try c.encode(writesPerMessage, forKey: .writesPerMessage)
            try c.encode(readsPerMessage, forKey: .readsPerMessage)
            try c.encode(targetWritesPerMessage, forKey: .targetWritesPerMessage)
            try c.encode(targetReadsPerMessage, forKey: .targetReadsPerMessage)
            try c.encode(exitsPerMessage, forKey: .exitsPerMessage)
            try c.encode(vsockPacketsPerMessage, forKey: .vsockPacketsPerMessage)
            try c.encode(mbpsRatio, forKey: .mbpsRatio)
            try c.encode(msgsRatio, forKey: .msgsRatio)
            try c.encode(verified, forKey: .verified)
        }
    }

    /// The first case: every ratio is against it.
    public var baseline: String
    public var rows: [Row]

    public init(_ document: RunDocument) {
        let base = document.cases.first
        baseline = base?.name ?? ""
        func ratio(_ value: Double, _ reference: Double?) -> Double? {
            guard let reference, reference > 0 else { return nil }
            return (value / reference).rounded(toPlaces: 3)
        }
        rows = document.cases.map { c in
            Row(name: c.name, workload: c.workload.rawValue, strategy: c.spec.strategySummary,
                mbps: c.mbpsTotal, msgsPerSecond: c.msgsPerSecond, p50Micros: c.latencyMicros?.p50, p99Micros: c.latencyMicros?.p99,
                writesPerMessage: c.writesPerMessage, readsPerMessage: c.readsPerMessage,
                targetWritesPerMessage: c.targetWritesPerMessage, targetReadsPerMessage: c.targetReadsPerMessage,
                exitsPerMessage: c.probe?.perMessage.exits, vsockPacketsPerMessage: c.probe?.perMessage.vsockPackets,
                mbpsRatio: ratio(c.mbpsTotal, base?.mbpsTotal), msgsRatio: ratio(c.msgsPerSecond, base?.msgsPerSecond),
                verified: c.verified || c.skipped != nil)
        }
    }

    private var hasProbe: Bool { rows.contains { $0.exitsPerMessage != nil || $0.vsockPacketsPerMessage != nil } }

    private var header: [String] {
        ["case", "workload", "strategy", "Mbps", "msgs/s", "p50 us", "p99 us", "wr/msg", "rd/msg", "target wr/msg", "target rd/msg"]
            + (hasProbe ? ["exits/msg", "vsock pkts/msg"] : []) + ["vs \(baseline)", "verified"]
    }

    private func cells(_ r: Row) -> [String] {
        [r.name, r.workload, r.strategy, Format.compact(r.mbps), Format.fixed(r.msgsPerSecond, 0), Format.compact(r.p50Micros),
         Format.compact(r.p99Micros), Format.fixed(r.writesPerMessage, 2), Format.fixed(r.readsPerMessage, 2),
         Format.fixed(r.targetWritesPerMessage, 2), Format.fixed(r.targetReadsPerMessage, 2)]
            + (hasProbe ? [Format.fixed(r.exitsPerMessage, 2), Format.fixed(r.vsockPacketsPerMessage, 2)] : [])
            + [r.mbpsRatio.map { Format.fixed($0, 2) + "x" } ?? "-", r.verified ? "yes" : "NO"]
    }

    /// The side-by-side table for a terminal.
    public func text() -> String {
        var table = TextTable(columns: header, rightAligned: Set(3..<(header.count - 1)))
        for row in rows { table.add(cells(row)) }
        return table.render()
    }

    /// The same table as GitHub-flavoured markdown.
    public func markdown(title: String) -> String {
        func escape(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }
        var out = "## \(escape(title))\n\n| " + header.map(escape).joined(separator: " | ") + " |\n"
        out += "|" + header.enumerated().map { i, _ in i >= 3 && i < header.count - 1 ? " ---: " : " --- " }.joined(separator: "|") + "|\n"
        for row in rows { out += "| " + cells(row).map(escape).joined(separator: " | ") + " |\n" }
        return out
    }
}

/// What `compare --json` writes: the run document (every key of `run --json`) plus `comparison`.
public struct CompareDocument: Codable, Sendable, Equatable {
    public var run: RunDocument
    public var comparison: Comparison

    public init(run: RunDocument) {
        self.run = run
        comparison = Comparison(run)
    }

    private enum SectionKey: String, CodingKey { case comparison }

    public init(from decoder: any Decoder) throws {
        run = try RunDocument(from: decoder)
        comparison = try decoder.container(keyedBy: SectionKey.self).decode(Comparison.self, forKey: .comparison)
    }

    public func encode(to encoder: any Encoder) throws {
        try run.encode(to: encoder)
        var c = encoder.container(keyedBy: SectionKey.self)
        try c.encode(comparison, forKey: .comparison)
    }

    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return ((try? encoder.encode(self)).map(Array.init) ?? []) + [10]
    }
}
