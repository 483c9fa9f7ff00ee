/// What a fix is predicted to give, as a range of one figure of the fixed case (absolute
/// values, in the figure's own unit): from the verdict's model with the run's uncertainty,
/// bounded by what the run shows is possible.
public struct Prediction: Codable, Sendable, Equatable {
    /// The figure predicted (`msgs_per_s`, `mbps_tx`, `probe.per_msg.exits`).
    public var metric: Figure
    public var low: Double
    public var high: Double
    /// The case's own value of the figure, as measured.
    public var now: Double?
    /// What capped the model's range: `sibling <case>`, `cpu`, `processing`, `ceiling`.
    public var boundedBy: [String]

    public init(metric: Figure, low: Double, high: Double, now: Double?, boundedBy: [String] = []) {
        self.metric = metric
        self.low = low
        self.high = high
        self.now = now
        self.boundedBy = boundedBy
    }

    public func contains(_ value: Double) -> Bool { low <= value && value <= high }

    enum CodingKeys: String, CodingKey {
        case metric, low, high, now, boundedBy = "bounded_by"
    }
}

/// A prediction checked: the fixed case `diagnose --verify` ran, and what it measured.
public struct Verification: Codable, Sendable, Equatable {
    /// The fixed case's name (`<case>+window-8`).
    public var caseName: String
    /// Its value of the predicted figure (the median over its trials); nil when it did not run
    /// or did not measure the figure.
    public var measured: Double?
    /// The 95% interval of `measured` when the fixed case ran several trials.
    public var measuredCI: [Double]?
    /// True when `measured` lies inside the predicted range.
    public var within: Bool
    /// Why there is no measurement.
    public var error: String?
    /// The case itself run again beside its fix (`<case>+again`), its value of the figure,
    /// and that over the value diagnosed: how far the machine drifted between run and check.
    public var referenceCase: String?
    public var referenceMeasured: Double?
    public var drift: Double?
    /// `measured / drift` inside the range: the prediction held once the drift is taken out.
    public var withinAfterDrift: Bool?
    /// The fixed case's figure over the case's (measured again beside it where it was, else
    /// as diagnosed), as a gain: above 1 better, for either direction of the figure. Nil
    /// without a measurement.
    public var gain: Double?
    /// What the gain says of the fix: `gain` (at least 5% better), `none` (within 5%: what two
    /// runs of the same case differ by), `worse` (at least 5% worse). A range whose low end
    /// allows no gain is met by either of the last two, which confirm nothing: a fix that made
    /// the case 21% slower was "inside" (review). Nil without a measurement.
    public var outcome: String?
    /// Why the measurement cannot decide the check, though `within` says where its median
    /// fell: its trials' interval overlaps the range while the median lies outside, or the case
    /// run again unchanged moved beyond the spread the range assumed (±25% for one trial) or
    /// measured (its interval). Nil when it decides.
    public var inconclusive: String?
    /// How the setup the fix ran in differed from the diagnosed run's (`diagnose --from
    /// --verify` elsewhere: `transport unix then, tcp now`); nil when it did not. `drift` then
    /// measures that difference as well as the machine's.
    public var setupDifferences: [String]?

    /// What the check says of the prediction (JSON `check`): `inside`, `miss`, `inconclusive`
    /// (`inconclusive` says why; counted apart, neither hit nor miss), or `not_measured` (the
    /// fixed case failed, was skipped or did not run: nothing to hold the range against, which
    /// is no miss of the model; `error` says why).
    public var check: String {
        measured == nil ? "not_measured" : inconclusive != nil ? "inconclusive" : within ? "inside" : "miss"
    }

    public init(caseName: String, measured: Double?, measuredCI: [Double]? = nil, within: Bool, error: String? = nil) {
        self.caseName = caseName
        self.measured = measured
        self.measuredCI = measuredCI
        self.within = within
        self.error = error
    }

    enum CodingKeys: String, CodingKey {
        case caseName = "case", measured, measuredCI = "measured_ci", within, error
        case referenceCase = "reference_case", referenceMeasured = "reference_measured", drift, withinAfterDrift = "within_after_drift"
        case gain, outcome, inconclusive, setupDifferences = "setup_differences"
    }

    /// Written, never read: derived from the fields above.
    enum DerivedKeys: String, CodingKey { case check }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(caseName, forKey: .caseName)
        try c.encode(measured, forKey: .measured)
        try c.encode(measuredCI, forKey: .measuredCI)
        try c.encode(within, forKey: .within)
        try c.encodeIfPresent(error, forKey: .error)
        try c.encode(referenceCase, forKey: .referenceCase)
        try c.encode(referenceMeasured, forKey: .referenceMeasured)
        try c.encode(drift, forKey: .drift)
        try c.encode(withinAfterDrift, forKey: .withinAfterDrift)
        try c.encode(gain, forKey: .gain)
        try c.encode(outcome, forKey: .outcome)
        try c.encode(inconclusive, forKey: .inconclusive)
        try c.encode(setupDifferences, forKey: .setupDifferences)
        var derived = encoder.container(keyedBy: DerivedKeys.self)
        try derived.encode(check, forKey: .check)
    }
}
