import VsockBenchSupport

/// Turns a run's measurements into verdicts: for each case, every verdict whose evidence is
/// there, most confident first, and none where there is none.
public enum Diagnoser {
    /// Verdicts that name a specific cost inside a round trip.
    static let specific: Set<String> = ["processing_bound", "fragmented_writes", "flow_control_bound", "notification_bound", "nagle_delayed_ack"]

    public static func diagnose(_ c: CaseResult, context: DiagnosisContext) -> [Diagnosis] {
        guard c.skipped == nil, c.messages > 0 else { return [] }
        let evidence = CaseEvidence(c: c, context: context)
        var verdicts = Verdicts.all.compactMap { $0(evidence) }
        // Stop-and-wait explains every chatty case; when a specific cost is also there, that
        // cost is what fills the round trip and ranks first.
        if verdicts.contains(where: { Self.specific.contains($0.id) }), let i = verdicts.firstIndex(where: { $0.id == "round_trip_bound" }) {
            verdicts[i].confidence = min(verdicts[i].confidence, 0.45)
        }
        return verdicts
            .map { var d = $0; d.confidence = d.confidence.rounded(toPlaces: 2); return d }
            .sorted { $0.confidence > $1.confidence }
    }

    /// The document with every case's `diagnosis` filled in.
    public static func diagnose(_ document: RunDocument, fit: LatencyBandwidthFit? = nil, fitSource: String? = nil) -> RunDocument {
        let context = DiagnosisContext.from(document, fit: fit, fitSource: fitSource)
        var copy = document
        for i in copy.cases.indices { copy.cases[i].diagnosis = diagnose(copy.cases[i], context: context) }
        return copy
    }

    /// The verdicts as text: per case, each verdict with its evidence and advice.
    public static func render(_ document: RunDocument) -> String {
        var out = ""
        for c in document.cases {
            out += "\(c.name) (\(c.workload), \(Format.compact(c.mbpsTotal)) Mbps, \(Format.fixed(c.msgsPerSecond, 0)) msgs/s)\n"
            if let skipped = c.skipped {
                out += "  skipped: \(skipped)\n\n"
                continue
            }
            guard let verdicts = c.diagnosis, !verdicts.isEmpty else {
                out += c.verified ? "  no verdict: the evidence does not point at any of the known causes\n\n" : "  not diagnosed: the case failed (\(c.errors.first ?? "no messages"))\n\n"
                continue
            }
            for d in verdicts {
                out += "  \(d.id) (confidence \(Format.fixed(d.confidence, 2)))\n"
                for line in d.evidence { out += "    - \(line)\n" }
                out += "    advice: \(d.advice)\n"
                if let gain = d.predictedGain { out += "    predicted: \(gain)\n" }
            }
            out += "\n"
        }
        return out
    }
}
