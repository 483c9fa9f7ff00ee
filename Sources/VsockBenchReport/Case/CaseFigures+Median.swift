import VsockBenchStats

extension CaseFigures {
    /// Each figure the median of the trials' (nil where no trial measured it). Latency,
    /// spread and probe are the caller's: percentiles come from the merged histograms, the
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
            targetMicrosPerMessage: med(trials.compactMap(\.cpu.targetMicrosPerMessage))?.rounded(toPlaces: 2))
        return m
    }
}
