import VsockBenchStats

extension CaseFigures {
    /// Each figure the median of the trials' (nil where no trial measured it). Latency,
    /// spread and probe are the caller's: percentiles from `LatencySummary.median(of:)`, the
    /// rest from a representative trial.
    static func median(of trials: [CaseFigures]) -> CaseFigures {
        var m = CaseFigures()
        func med(_ values: [Double]) -> Double? { Descriptive.median(values) }
        func med<T: BinaryInteger>(_ path: KeyPath<CaseFigures, T>) -> T { T(med(trials.map { Double($0[keyPath: path]) })?.rounded() ?? 0) }
        func med(_ path: KeyPath<CaseFigures, Double>, places: Int = 3) -> Double { med(trials.map { $0[keyPath: path] })?.rounded(toPlaces: places) ?? 0 }
        func med(_ path: KeyPath<CaseFigures, Double?>, places: Int = 3) -> Double? { med(trials.compactMap { $0[keyPath: path] })?.rounded(toPlaces: places) }
        m.messages = med(\.messages)
        m.bytesTx = med(\.bytesTx)
        m.bytesRx = med(\.bytesRx)
        m.wireBytesPerMessage = med(\.wireBytesPerMessage)
        m.durationSeconds = med(\.durationSeconds, places: 6)
        m.mbpsTx = med(\.mbpsTx)
        m.mbpsRx = med(\.mbpsRx)
        m.mbpsTotal = med(\.mbpsTotal)
        m.msgsPerSecond = med(\.msgsPerSecond, places: 1)
        m.writesPerMessage = med(\.writesPerMessage)
        m.readsPerMessage = med(\.readsPerMessage)
        m.shortWritesPerMessage = med(\.shortWritesPerMessage)
        m.targetShortWritesPerMessage = med(\.targetShortWritesPerMessage)
        m.targetWritesPerMessage = med(\.targetWritesPerMessage)
        m.targetReadsPerMessage = med(\.targetReadsPerMessage)
        m.targetProcessingShare = med(\.targetProcessingShare, places: 4)
        m.cpu = CPUSummary(
            driverUserSeconds: med(trials.map(\.cpu.driverUserSeconds))?.rounded(toPlaces: 4) ?? 0,
            driverSystemSeconds: med(trials.map(\.cpu.driverSystemSeconds))?.rounded(toPlaces: 4) ?? 0,
            targetUserSeconds: med(trials.compactMap(\.cpu.targetUserSeconds))?.rounded(toPlaces: 4),
            targetSystemSeconds: med(trials.compactMap(\.cpu.targetSystemSeconds))?.rounded(toPlaces: 4),
            driverMicrosPerMessage: med(trials.compactMap(\.cpu.driverMicrosPerMessage))?.rounded(toPlaces: 2),
            targetMicrosPerMessage: med(trials.compactMap(\.cpu.targetMicrosPerMessage))?.rounded(toPlaces: 2),
            machineBusyCPUs: med(trials.compactMap(\.cpu.machineBusyCPUs))?.rounded(toPlaces: 2),
            otherUserCPUs: med(trials.compactMap(\.cpu.otherUserCPUs))?.rounded(toPlaces: 2),
            machineStealShare: med(trials.compactMap(\.cpu.machineStealShare))?.rounded(toPlaces: 4))
        return m
    }
}

extension LatencySummary {
    /// A case's latency from its trials': each percentile (p50, p90, p99, p99.9) the median of
    /// the trials' values of it, like every other figure, so it lies inside the interval taken
    /// over the same values. Not the percentile of every trial's messages pooled: that weighs
    /// each trial by its message count, so the fast trials would outvote the slow ones.
    /// `mean` is the median of the trials' means, for the same reason. `max` is the largest
    /// over the trials, not a median: a max is no typical value but the worst seen, and the
    /// worst of the run is the worst of any trial. nil without a trial that measured latency.
    static func median(of trials: [LatencySummary]) -> LatencySummary? {
        guard let worst = trials.map(\.max).max() else { return nil }
        // Not rounded again: the trials' values are in hundredths of a microsecond already
        // (the median of an even count may end in a half of one).
        func med(_ path: KeyPath<LatencySummary, Double>) -> Double { Descriptive.median(trials.map { $0[keyPath: path] }) ?? 0 }
        return LatencySummary(p50: med(\.p50), p90: med(\.p90), p99: med(\.p99), p999: med(\.p999), max: worst, mean: med(\.mean))
    }
}

extension RunDocument {
    /// The document with each case of several trials given the median of its trials' latency
    /// percentiles (`LatencySummary.median(of:)`, of the trials `CaseSummary.medianTrials`
    /// takes): what this vsockbench writes, and what a
    /// results file written before it (whose percentiles were pooled over every trial's
    /// messages) is read as wherever one run's value counts (`check`'s per-run values, the
    /// history window). A case of one trial is left as it is, and so is `max` (the pooled max
    /// of an older file is already the largest of its trials').
    public func trialMedianLatency() -> RunDocument {
        var document = self
        for i in document.cases.indices where document.cases[i].trials.count > 1 {
            guard let stored = document.cases[i].figures.latencyMicros,
                  var latency = LatencySummary.median(of: document.cases[i].trialsInMedians.compactMap(\.latencyMicros)) else { continue }
            latency.max = stored.max
            document.cases[i].figures.latencyMicros = latency
        }
        return document
    }
}
