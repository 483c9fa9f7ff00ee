import VsockBenchSupport

/// The human report of a sweep: the points with their residuals, the fit, and the batching
/// predictions, each figure with its unit and what it was measured as.
public enum SweepTable {
    public static func render(_ sweep: SweepReport) -> String {
        var out = "sweep \(sweep.workload): t = \(sweep.timeBasis)\n"
        out += "n = \(sweep.bytesBasis)\n\n"
        var points = TextTable(columns: ["size", "case", "t us", "Mbps", "fit us", "residual us", "verified"], rightAligned: [0, 2, 3, 4, 5])
        let model = sweep.fit?.model
        for p in sweep.points {
            points.add([
                Quantities.formatSize(p.size), p.caseName, Format.compact(p.tMicros), Format.compact(p.mbps),
                Format.compact(model.map { $0.seconds(bytes: Double(p.size)) * 1e6 }), Format.fixed(p.residualMicros, 2),
                p.skipped == SweepReport.notRun ? "not run" : p.skipped == RateSweepReport.cutShort ? "cut short"
                    : p.skipped != nil ? "skipped" : (p.verified ? "yes" : "NO"),
            ])
        }
        out += points.render()
        // Fitted through fewer sizes than asked, said (2 of 3 sizes were fitted without a word).
        if let missing = sweep.interruptedText, sweep.fit != nil {
            out += "interrupted: \(missing); the fit is over the \(sweep.points.filter(\.verified).count) sizes measured whole\n"
        }
        let masked = sweep.workload == SweepWorkload.masked.rawValue
        out += "Mbps: \(sweep.mbpsBasis)\(masked ? " (each the fragment protobuf-encoded; the responses' are in the run table)" : ""); frame headers not counted\n\n"
        guard let fit = sweep.fit else {
            return out + "fit: none: \(sweep.fitError ?? "no points")\n"
        }
        out += "fit t(n) = alpha + n/beta (ordinary least squares over \(sweep.points.filter(\.verified).count) points):\n"
        out += "  alpha  = \(Format.compact(fit.alphaMicros)) us   fixed cost per message (\(fit.alphaIntervalText))\n"
        // A masked sweep's n is the fragment size asked: its fit and batching Mbps are in
        // those bytes, not the requests' measured payload of the table above (review).
        out += "  beta   = \(Format.compact(fit.betaMbps)) Mbps   asymptotic bandwidth of n\(sweep.betaBasis) (\(fit.betaIntervalText))\n"
        out += "  n_half = \(sizeText(fit.nHalfBytes))   message size reaching half of beta (alpha*beta)\n"
        out += "  R^2    = \(sweep.r2Text ?? "-")\n"
        for note in sweep.fitNotes { out += "  note: \(note)\n" }
        if let reason = sweep.batchingWithheldText {
            return out + "\nbatching: no prediction: \(reason)\n"
        }
        out += "\nbatching k messages of \(Quantities.formatSize(sweep.batchMessageBytes)) into one write (model: t = alpha + k*n/beta\(sweep.batchingMbpsBasis.map { "; " + $0 } ?? ""))\n"
        var batches = TextTable(columns: ["k", "bytes/write", "Mbps", "msgs/s", "vs k=1", "note"], rightAligned: [0, 1, 2, 3, 4])
        let base = sweep.batching.first?.mbps ?? 0
        for b in sweep.batching {
            let ratio = b.mbps.flatMap { base > 0 ? $0 / base : nil }
            batches.add([
                String(b.k), Quantities.formatSize(b.bytesPerWrite), Format.compact(b.mbps), Format.fixed(b.msgsPerSecond, 0),
                ratio.map { Format.compact($0) + "x" } ?? "-", b.note ?? "",
            ])
        }
        return out + batches.render()
    }

    /// `12.3KiB (12583 B)` for a size in bytes that need not be whole.
    static func sizeText(_ bytes: Double) -> String {
        guard bytes.isFinite, bytes >= 0 else { return Format.compact(bytes) + " B" }
        let whole = Int(bounded: bytes.rounded())
        return whole >= 1024 ? "\(Quantities.formatSize(whole)) (\(whole) B)" : "\(whole) B"
    }
}
