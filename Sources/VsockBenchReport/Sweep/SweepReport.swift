import VsockBenchModel
import VsockBenchSupport

/// The `sweep` section of a sweep's JSON document: the measured points, the latency-bandwidth
/// fit and what it predicts for batching. Every key is always present (null when unknown),
/// so consumers can rely on the shape.
public struct SweepReport: Codable, Sendable, Equatable {
    /// One measured size.
    public struct Point: Codable, Sendable, Equatable {
        /// Message size, bytes (see ``SweepReport/bytesBasis``).
        public var size: Int
        /// The case that measured it.
        public var caseName: String
        /// Measured time per message, microseconds; nil when the case failed.
        public var tMicros: Double?
        /// Measured payload Mbps per direction (rr and masked: each way, as `run` reports
        /// `mbps_tx` and `mbps_rx`; headers not counted).
        public var mbps: Double?
        /// Measured minus fitted time, microseconds; nil when not in the fit.
        public var residualMicros: Double?
        /// False when the case failed, was not verified or did not run: such a point is left out of the fit.
        public var verified: Bool
        /// Why the size was not measured (not selected by `--case`); nil for a size that ran.
        /// A skipped size is not a failure.
        public var skipped: String? = nil
        /// What made the machine busy beside the case (other programs, steal: as the run's
        /// NOTE says it, `CPUSummary.machineWasBusy`); nil when it was quiet or not measured.
        public var machineBusy: String? = nil

        enum CodingKeys: String, CodingKey {
            case size, caseName = "case", tMicros = "t_us", mbps, residualMicros = "residual_us", verified, skipped
            case machineBusy = "machine_busy"
        }
    }

    /// The fitted model, rounded for reading.
    public struct Fit: Codable, Sendable, Equatable {
        public var alphaMicros: Double
        public var betaMbps: Double
        public var nHalfBytes: Double
        /// null for a fit through two points: the line passes through both whatever their
        /// noise (no degrees of freedom), so an R^2 of 1 would claim a fit nothing tested.
        public var r2: Double?
        /// Standard error of alpha, microseconds; null for a fit through two points (no
        /// degrees of freedom to measure the noise with).
        public var alphaStandardErrorMicros: Double? = nil
        /// alpha's 95% interval [low, high], microseconds (Student t, n - 2 degrees of freedom);
        /// null for a fit through two points.
        public var alphaIntervalMicros: [Double]? = nil
        /// beta's 95% interval [low, high], Mbps: the slope's interval inverted; high is null when
        /// the slope's interval reaches 0 (no upper bound); null for a fit through two points.
        public var betaIntervalMbps: [Double?]? = nil

        /// True when the line explains less of the points' variance than ``SweepReport/minimumR2``:
        /// what it predicts is noise. False for a fit through two points (no R^2 to judge).
        public var explainsTooLittle: Bool { r2.map { $0 < SweepReport.minimumR2 } ?? false }

        enum CodingKeys: String, CodingKey {
            case alphaMicros = "alpha_us", betaMbps = "beta_mbps", nHalfBytes = "n_half_bytes", r2
            case alphaStandardErrorMicros = "alpha_se_us", alphaIntervalMicros = "alpha_ci_us", betaIntervalMbps = "beta_ci_mbps"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(alphaMicros, forKey: .alphaMicros)
            try c.encode(betaMbps, forKey: .betaMbps)
            try c.encode(nHalfBytes, forKey: .nHalfBytes)
            try c.encode(r2, forKey: .r2)
            try c.encode(alphaStandardErrorMicros, forKey: .alphaStandardErrorMicros)
            try c.encode(alphaIntervalMicros, forKey: .alphaIntervalMicros)
            try c.encode(betaIntervalMbps, forKey: .betaIntervalMbps)
        }

        /// True when alpha's 95% interval reaches 0 or below: the fixed cost is not told apart
        /// from none. False without an interval (two points).
        public var alphaIntervalContainsZero: Bool { alphaIntervalMicros.map { $0[0] <= 0 } ?? false }

        /// `-0.44...35.62 us` (95%), or why there is none.
        public var alphaIntervalText: String {
            guard let ci = alphaIntervalMicros, ci.count == 2 else { return "no interval: 2 points, 0 degrees of freedom" }
            return "95% interval \(Format.compact(ci[0]))...\(Format.compact(ci[1])) us"
        }

        /// `14871...29509 Mbps` (95%), `14871... Mbps (no upper bound)`, or why there is none.
        public var betaIntervalText: String {
            guard let ci = betaIntervalMbps, ci.count == 2, let low = ci[0] else { return "no interval: 2 points, 0 degrees of freedom" }
            return "95% interval \(Format.compact(low))...\(ci[1].map { Format.compact($0) } ?? "") Mbps\(ci[1] == nil ? " (no upper bound: the slope's interval reaches 0)" : "")"
        }

        /// The model itself, for predictions and for drawing its line.
        public var model: LatencyBandwidthFit {
            LatencyBandwidthFit(alphaSeconds: alphaMicros / 1e6, betaBytesPerSecond: betaMbps * 1e6 / 8)
        }
    }

    /// What batching `k` messages into one write is predicted to give.
    public struct Batch: Codable, Sendable, Equatable {
        public var k: Int
        public var bytesPerWrite: Int
        /// Payload Mbps per direction, on the same basis as the points' `mbps`; nil when not
        /// predicted (``note`` says why).
        public var mbps: Double?
        public var msgsPerSecond: Double?
        /// What the figures rest on beyond the measured points: a write outside the measured
        /// sizes (an extrapolation), over the write limit (not predicted), or a fit through two
        /// sizes; nil for a prediction inside what a fit of three sizes or more measured.
        public var note: String?

        enum CodingKeys: String, CodingKey {
            case k, bytesPerWrite = "bytes_per_write", mbps, msgsPerSecond = "msgs_per_s", note
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(k, forKey: .k)
            try c.encode(bytesPerWrite, forKey: .bytesPerWrite)
            try c.encode(mbps, forKey: .mbps)
            try c.encode(msgsPerSecond, forKey: .msgsPerSecond)
            try c.encode(note, forKey: .note)
        }
    }

    /// The most one write may carry: a stream's write_size and a frame's payload stop here on
    /// every target, so a batch larger than this cannot be run, and is not predicted.
    public static let writeLimit = CaseSpec.maxBuffer

    public var workload: String
    /// What t is.
    public var timeBasis: String
    /// What n is.
    public var bytesBasis: String
    /// Payload bytes crossing the channel per byte of n (rr: 2, n each way); the Mbps here are
    /// per direction all the same, the one definition every report uses.
    public var wireFactor: Double
    /// Ascending by size.
    public var points: [Point]
    /// nil when the points could not be fitted; ``fitError`` says why.
    public var fit: Fit?
    public var fitError: String?
    /// The message size the batching predictions are for, bytes.
    public var batchMessageBytes: Int
    /// For k = 1, 2, 4, 8, 16, 32; empty without a fit, and with a fit that predicts nothing
    /// (``batchingWithheld`` says why).
    public var batching: [Batch]
    /// Why a fit made no batching predictions (alpha < 0, or R^2 below ``minimumR2``), and
    /// what to do; nil when it made them, and without a fit (``fitError`` says why).
    public var batchingWithheld: String? = nil

    /// Below this R^2 a fit predicts nothing: the line explains less than half of the variance
    /// of the measured times, so the rest, the noise, outweighs it, and alpha and beta (and a
    /// batch far beyond the measured sizes) follow the noise more than the channel. Between it
    /// and 0.9 the predictions are made with a note that the points are noisy.
    public static let minimumR2 = 0.5

    enum CodingKeys: String, CodingKey {
        case workload, timeBasis = "t_basis", bytesBasis = "bytes_basis", wireFactor = "wire_factor", points, fit
        case fitError = "fit_error", batchMessageBytes = "batch_message_bytes", batching, batchingWithheld = "batching_withheld"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(workload, forKey: .workload)
        try c.encode(timeBasis, forKey: .timeBasis)
        try c.encode(bytesBasis, forKey: .bytesBasis)
        try c.encode(wireFactor, forKey: .wireFactor)
        try c.encode(points, forKey: .points)
        try c.encode(fit, forKey: .fit)
        try c.encode(fitError, forKey: .fitError)
        try c.encode(batchMessageBytes, forKey: .batchMessageBytes)
        try c.encode(batching, forKey: .batching)
        try c.encode(batchingWithheld, forKey: .batchingWithheld)
    }
}

extension SweepReport.Point {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(size, forKey: .size)
        try c.encode(caseName, forKey: .caseName)
        try c.encode(tMicros, forKey: .tMicros)
        try c.encode(mbps, forKey: .mbps)
        try c.encode(residualMicros, forKey: .residualMicros)
        try c.encode(verified, forKey: .verified)
        try c.encode(skipped, forKey: .skipped)
        try c.encode(machineBusy, forKey: .machineBusy)
    }
}

extension SweepReport {
    /// What `skipped` says of a size the run never reached (an interrupted sweep).
    public static let notRun = "not run: the sweep stopped before it (interrupted)"
    /// What `skipped` says of a size (or rate) `--case` left out.
    public static let notSelected = "not selected by --case"

    /// Builds the section from a sweep's run document: one point per case (in `plan` order),
    /// the fit over the verified points, and the batching predictions for `batchMessageBytes`.
    public init(plan: SweepPlan, document: RunDocument, batchMessageBytes: Int) {
        let workload = plan.workload
        var points: [Point] = []
        for (size, spec) in zip(plan.sizes, plan.scenario.cases) {
            let result = document.cases.first { $0.name == spec.name }
            var point = Point(size: size, caseName: spec.name, tMicros: nil, mbps: nil, residualMicros: nil, verified: false)
            if plan.unselected.contains(spec.name) {
                point.skipped = Self.notSelected
            } else if result == nil {
                // A size the run never reached (the sweep was interrupted, SIGINT, before it):
                // not a measurement that failed (it read "verified NO", skipped null: review).
                point.skipped = Self.notRun
            } else if result?.cutShort == true {
                // The size the interrupt stopped: no point of the line, and no failure of the
                // channel (it read NO, and the fit "give more sizes", review).
                point.skipped = RateSweepReport.cutShort
            }
            if let result, result.verified, result.messages > 0, result.msgsPerSecond > 0 {
                // 1/msgs_per_s of the case, as `t_basis` says: under --repeat the case's figures are
                // medians of each figure over the trials, so duration/messages divided two medians
                // taken from different trials, a time no trial measured (review).
                let seconds = Double(result.spread.connections) / result.msgsPerSecond
                point.tMicros = (seconds * 1e6).rounded(toPlaces: 3)
                // The payload the driver sent per message, as measured: a masked request is its
                // fragment protobuf-encoded (550 bytes for a 512B fragment), and its Mbps were
                // the asked size's, matching no direction of the run table (review). rr and
                // stream send exactly the size.
                let sent = result.figures.bytesTx > 0 ? Double(result.figures.bytesTx) / Double(result.messages) : Double(size)
                point.mbps = (sent * 8 / seconds / 1e6).rounded(toPlaces: 3)
                point.verified = true
                // The run's table says "the machine was busy" of such a case; the fit through it
                // said nothing (review).
                let busy = result.trials.filter(\.cpu.machineWasBusy)
                if !busy.isEmpty {
                    point.machineBusy = CPUSummary.busyText(busy) + (result.trials.count > 1 ? " (\(busy.count) of \(result.trials.count) trials)" : "")
                }
            }
            points.append(point)
        }
        let measured = points.compactMap { p in p.tMicros.map { LatencyBandwidthFit.Point(bytes: Double(p.size), seconds: $0 / 1e6) } }
        self.init(points: points, measured: measured, workload: workload, batchMessageBytes: batchMessageBytes)
        // An interrupted sweep blamed the sizes given ("needs at least 2 measured sizes, got 1;
        // give more sizes"): it says what the interrupt left out instead (review).
        if let missing = interruptedText, fitError != nil {
            fitError = measured.count < 2
                ? "the sweep was interrupted (\(missing)): \(measured.count) size\(measured.count == 1 ? "" : "s") measured whole, and the latency-bandwidth fit needs at least 2; run the sweep to its end"
                : "the sweep was interrupted (\(missing)): \(fitError ?? "")"
        }
    }

    /// The sizes an interrupt left out: `8KiB cut short; 64KiB not run`; nil when none.
    public var interruptedText: String? {
        func sizes(_ reason: String) -> String? {
            let left = points.filter { $0.skipped == reason }.map { Quantities.formatSize($0.size) }
            return left.isEmpty ? nil : left.joined(separator: ", ")
        }
        let parts = [sizes(RateSweepReport.cutShort).map { "\($0) cut short" }, sizes(Self.notRun).map { "\($0) not run" }].compactMap { $0 }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }

    /// Builds the section from points already measured (tests, and callers with their own runs).
    public init(points: [Point], measured: [LatencyBandwidthFit.Point], workload: SweepWorkload, batchMessageBytes: Int) {
        self.workload = workload.rawValue
        self.timeBasis = workload.timeBasis
        self.bytesBasis = workload.bytesBasis
        self.wireFactor = workload.wireFactor
        self.batchMessageBytes = batchMessageBytes
        self.points = points
        self.fit = nil
        self.fitError = nil
        self.batching = []
        do {
            let model = try LatencyBandwidthFit.fit(measured)
            fit = Fit(
                alphaMicros: model.alphaMicros.rounded(toPlaces: 3), betaMbps: model.betaMbps.rounded(toPlaces: 3),
                nHalfBytes: model.nHalfBytes.rounded(toPlaces: 0), r2: model.r2?.rounded(toPlaces: 4),
                alphaStandardErrorMicros: model.alphaStandardErrorSeconds.map { ($0 * 1e6).rounded(toPlaces: 3) },
                alphaIntervalMicros: model.alphaInterval.map { [($0.lowerBound * 1e6).rounded(toPlaces: 3), ($0.upperBound * 1e6).rounded(toPlaces: 3)] },
                betaIntervalMbps: model.betaInterval.map { ci in
                    [(ci.lower * 8 / 1e6).rounded(toPlaces: 3), ci.upper.map { ($0 * 8 / 1e6).rounded(toPlaces: 3) }]
                })
            for i in self.points.indices {
                guard let t = self.points[i].tMicros else { continue }
                self.points[i].residualMicros = (t - model.seconds(bytes: Double(self.points[i].size)) * 1e6).rounded(toPlaces: 3)
            }
            // With alpha < 0 there is no fixed cost to amortize; with a low R^2 the line is
            // mostly noise: batching predictions from either would be noise.
            guard model.isPhysical else {
                batchingWithheld = "a fit with alpha < 0 has no fixed cost per message to amortize"
                return
            }
            if let fit, fit.explainsTooLittle {
                batchingWithheld = "R^2 \(Format.fixed(fit.r2, 4)) is below \(Format.fixed(Self.minimumR2, 1)): the line explains less than half of the variance of the points, so what it predicts is noise; sweep again with a longer --duration, on a quieter machine, or over more sizes"
                return
            }
            // alpha not told apart from 0, or larger than the smallest message's whole time: the
            // fixed cost the predictions amortize is not measured (a real rr sweep read alpha
            // 17.6 us, 95% interval -0.4...35.6, above the 11.6 us of its 64B point, and predicted
            // 3133 Mbps at k=1 whose own interval ran 1711-18546: review).
            if let reason = Self.alphaNotMeasured(fit: fit, smallestMicros: measured.map(\.seconds).min().map { $0 * 1e6 }) {
                batchingWithheld = reason + "; sweep again with a longer --duration, on a quieter machine, or over more sizes"
                return
            }
            let sizes = measured.map(\.bytes)
            let range = (sizes.min() ?? 0)...(sizes.max() ?? 0)
            let twoPoints = model.degreesOfFreedom == 0 ? "rests on 2 measured sizes" : nil
            batching = LatencyBandwidthFit.standardBatchCounts.map { k in
                let p = model.batched(messageBytes: Double(batchMessageBytes), count: k)
                let size = Quantities.formatSize(Int(bounded: p.bytesPerWrite))
                guard p.bytesPerWrite <= Double(Self.writeLimit) else {
                    let refused = "not predicted: \(size) per write is over the \(Quantities.formatSize(Self.writeLimit)) a write or frame may carry"
                    return Batch(k: k, bytesPerWrite: Int(bounded: p.bytesPerWrite), mbps: nil, msgsPerSecond: nil, note: refused)
                }
                // The line is measured between the smallest and largest size; beyond them it is a guess.
                let extrapolated = range.contains(p.bytesPerWrite) ? nil
                    : "extrapolated: \(size) per write is outside the measured \(Quantities.formatSize(Int(bounded: range.lowerBound)))...\(Quantities.formatSize(Int(bounded: range.upperBound)))"
                let notes = [extrapolated, twoPoints].compactMap { $0 }
                return Batch(
                    k: k, bytesPerWrite: Int(bounded: p.bytesPerWrite), mbps: p.mbps.rounded(toPlaces: 3),
                    msgsPerSecond: p.messagesPerSecond.rounded(toPlaces: 1), note: notes.isEmpty ? nil : notes.joined(separator: "; "))
            }
        } catch {
            fitError = error.description
        }
    }

    /// Why alpha is not measured well enough to predict from: its 95% interval contains 0, or the
    /// smallest measured time per message lies below that interval (alpha exceeds it beyond its
    /// noise: the line does not hold at the small sizes, where alpha is all there is). nil when
    /// neither, or without a fit.
    static func alphaNotMeasured(fit: Fit?, smallestMicros: Double?) -> String? {
        guard let fit else { return nil }
        var why: [String] = []
        if fit.alphaIntervalContainsZero, let ci = fit.alphaIntervalMicros {
            why.append("alpha's 95% interval, \(Format.compact(ci[0]))...\(Format.compact(ci[1])) us, contains 0: the fixed cost per message is not told apart from none")
        }
        // Beyond its noise: the smallest t below alpha's whole interval (below alpha itself
        // through two sizes). A real sweep read alpha 19.02 us (15.78...22.25) over a smallest t
        // of 18.94: 0.08 us, nothing the points can tell from their noise.
        if let smallest = smallestMicros, smallest < fit.alphaIntervalMicros?[0] ?? fit.alphaMicros {
            why.append("alpha (\(Format.compact(fit.alphaMicros)) us) exceeds the whole time of the smallest message measured (\(Format.compact(smallest)) us) beyond its 95% interval: the line does not hold at the small sizes")
        }
        return why.isEmpty ? nil : why.joined(separator: "; ")
    }

    /// Why the fit's alpha predicts nothing (its interval contains 0, or the smallest t lies below
    /// it), for `diagnose --sweep`, which refuses such a fit as `sweep` withholds its batching;
    /// nil when alpha is measured, or without a fit. A document from before the intervals has
    /// none: only its smallest t against alpha itself is checked then.
    public var alphaNotMeasuredText: String? { Self.alphaNotMeasured(fit: fit, smallestMicros: smallestFittedMicros) }

    /// The smallest measured time per message of the points fitted, microseconds.
    var smallestFittedMicros: Double? { points.filter { $0.residualMicros != nil }.compactMap(\.tMicros).min() }

    /// The points the fit went through (those with a residual).
    public var fittedPointCount: Int { points.filter { $0.residualMicros != nil }.count }

    /// What every figure of a fit through two points must say: the line passes through both
    /// whatever their noise, so nothing tests it. nil without a fit or with three points or more.
    public var twoPointCaveat: String? {
        guard fit != nil, fittedPointCount == 2 else { return nil }
        return "the fit rests on 2 measured sizes: the line passes through both whatever their noise (0 degrees of freedom); sweep at least 3 sizes to test it"
    }

    /// What the points' Mbps are, for the text's line under its table and the page's axis: a
    /// masked sweep's are the requests' payload as measured, one way (the page said "payload,
    /// each way" and beta "each way" where the text said otherwise: review).
    public var mbpsBasis: String {
        workload == SweepWorkload.masked.rawValue
            ? "the requests' payload as measured, driver to target"
            : "payload per direction\(wireFactor > 1 ? " (each way)" : "")"
    }

    /// What beta is a bandwidth of, after "asymptotic bandwidth of n": a masked sweep's n is the
    /// fragment size asked, so its fit and batching Mbps are in those bytes, not the requests'
    /// measured payload of the points.
    public var betaBasis: String {
        workload == SweepWorkload.masked.rawValue ? " (fragment bytes asked, not the requests' measured payload)" : wireFactor > 1 ? ", each way" : ""
    }

    /// The batching predictions' Mbps where they are not the points' (masked: fragment bytes
    /// asked); nil where they are.
    public var batchingMbpsBasis: String? {
        workload == SweepWorkload.masked.rawValue ? "Mbps of fragment bytes asked" : nil
    }

    /// R^2 as the reports give it: a fit through two points has none to give (0 degrees of
    /// freedom), which a bare `-` did not say. nil without a fit.
    public var r2Text: String? {
        guard let fit else { return nil }
        return twoPointCaveat != nil ? "none: 2 points, 0 degrees of freedom" : Format.fixed(fit.r2, 4)
    }

    /// What the fit's figures rest on: two points only, a low R^2, a negative alpha. One list
    /// for the text's notes and the page's (the page showed alpha, n_half and the predictions
    /// without them); empty without a fit or when none applies.
    public var fitNotes: [String] {
        guard let fit else { return [] }
        var notes: [String] = []
        if let caveat = twoPointCaveat { notes.append(caveat) }
        if fit.explainsTooLittle {
            notes.append("R^2 below \(Format.fixed(Self.minimumR2, 1)): the line explains less than half of the variance of the points; alpha, beta and n_half are mostly noise")
        } else if let r2 = fit.r2, r2 < 0.9 {
            notes.append("R^2 below 0.9: the points are noisy (a busy machine?); measure longer (--duration) or on a quiet machine")
        }
        if fit.alphaMicros < 0 {
            notes.append("alpha < 0: the fixed cost is within the noise of these points; n_half is not meaningful")
        } else if let reason = Self.alphaNotMeasured(fit: fit, smallestMicros: smallestFittedMicros) {
            notes.append(reason + "; alpha and n_half are not measured by these points")
        }
        let busy = points.filter { $0.residualMicros != nil }.compactMap { p in p.machineBusy.map { "\(Quantities.formatSize(p.size)) (\($0))" } }
        if !busy.isEmpty {
            notes.append("measured on a busy machine: \(busy.joined(separator: ", ")); their t, and alpha and beta through them, may be the machine's, not the channel's: sweep again on a quiet machine")
        }
        return notes
    }

    /// Why no batching is predicted where a fit made none: ``batchingWithheld``, or (a document
    /// written before it) the negative alpha. nil when predictions were made.
    public var batchingWithheldText: String? {
        guard fit != nil, batching.isEmpty else { return nil }
        return batchingWithheld ?? "a fit with alpha < 0 has no fixed cost per message to amortize"
    }

    /// True when every point that was not skipped was measured and verified.
    public var allVerified: Bool { points.allSatisfy { $0.verified || $0.skipped != nil } }
}
