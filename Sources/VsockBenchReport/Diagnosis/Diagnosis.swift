/// One verdict about what limits a case, with the evidence that supports it.
public struct Diagnosis: Codable, Sendable, Equatable {
    public var id: DiagnosisID
    /// 0...1: how strongly the evidence points this way (scaled down when the verdict fires in
    /// only some of the trials).
    public var confidence: Double
    /// Measured facts, each a sentence with its figure.
    public var evidence: [String]
    /// What to change, quantified where the model allows.
    public var advice: String
    /// The advice as a change of the case; nil when there is nothing to change.
    public var fix: Fix?
    /// What the fix is predicted to give, as a range; nil when the model cannot bound it.
    public var predicted: Prediction?
    /// The prediction in words, e.g. "1.1x-1.8x: 14000-23000 msgs/s (now 12900)"; nil when
    /// there is no prediction.
    public var predictedGain: String?
    /// Trials of the case that ran, and in how many of them this verdict fired on that
    /// trial's own figures.
    public var trials: Int
    public var trialsFiring: Int
    /// The fix run and measured (`diagnose --verify`); nil when not verified.
    public var verified: Verification?

    public init(id: DiagnosisID, confidence: Double, evidence: [String], advice: String, predictedGain: String? = nil,
                fix: Fix? = nil, predicted: Prediction? = nil, trials: Int = 1, trialsFiring: Int = 1) {
        self.id = id
        self.confidence = confidence
        self.evidence = evidence
        self.advice = advice
        self.predictedGain = predictedGain
        self.fix = fix
        self.predicted = predicted
        self.trials = trials
        self.trialsFiring = trialsFiring
    }

    enum CodingKeys: String, CodingKey {
        case id, confidence, evidence, advice, fix, predicted, predictedGain = "predicted_gain"
        case trials, trialsFiring = "trials_firing", verified
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(DiagnosisID.self, forKey: .id)
        confidence = try c.decode(Double.self, forKey: .confidence)
        evidence = try c.decode([String].self, forKey: .evidence)
        advice = try c.decode(String.self, forKey: .advice)
        fix = try c.decodeIfPresent(Fix.self, forKey: .fix)
        predicted = try c.decodeIfPresent(Prediction.self, forKey: .predicted)
        predictedGain = try c.decodeIfPresent(String.self, forKey: .predictedGain)
        // Verdicts written before trials were counted: one trial, firing.
        trials = try c.decodeIfPresent(Int.self, forKey: .trials) ?? 1
        trialsFiring = try c.decodeIfPresent(Int.self, forKey: .trialsFiring) ?? trials
        verified = try c.decodeIfPresent(Verification.self, forKey: .verified)
    }

    public func encode(to encoder: any Encoder) throws {
        // Explicit nulls keep every key present.
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(confidence, forKey: .confidence)
        try c.encode(evidence, forKey: .evidence)
        try c.encode(advice, forKey: .advice)
        try c.encode(fix, forKey: .fix)
        try c.encode(predicted, forKey: .predicted)
        try c.encode(predictedGain, forKey: .predictedGain)
        try c.encode(trials, forKey: .trials)
        try c.encode(trialsFiring, forKey: .trialsFiring)
        try c.encode(verified, forKey: .verified)
    }
}
