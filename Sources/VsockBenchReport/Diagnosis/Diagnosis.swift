/// One verdict about what limits a case, with the evidence that supports it.
public struct Diagnosis: Codable, Sendable, Equatable {
    /// `round_trip_bound`, `processing_bound`, `fragmented_writes`, `flow_control_bound`,
    /// `notification_bound`, `nagle_delayed_ack` or `bandwidth_bound`.
    public var id: String
    /// 0...1: how strongly the evidence points this way.
    public var confidence: Double
    /// Measured facts, each a sentence with its figure.
    public var evidence: [String]
    /// What to change, quantified where the model allows.
    public var advice: String
    /// What the change is predicted to give, e.g. "about 4.1x (2900 -> 12000 Mbps)"; nil when unknown.
    public var predictedGain: String?

    public init(id: String, confidence: Double, evidence: [String], advice: String, predictedGain: String?) {
        self.id = id
        self.confidence = confidence
        self.evidence = evidence
        self.advice = advice
        self.predictedGain = predictedGain
    }

    enum CodingKeys: String, CodingKey {
        case id, confidence, evidence, advice, predictedGain = "predicted_gain"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(confidence, forKey: .confidence)
        try c.encode(evidence, forKey: .evidence)
        try c.encode(advice, forKey: .advice)
        try c.encode(predictedGain, forKey: .predictedGain)
    }
}
