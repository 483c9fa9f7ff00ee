@testable import VsockBenchModel

/// The workload fields the tests read, nil where the case's workload has no such field.
extension CaseSpec {
    var writeSize: Int? { stream?.writeSize }
    var verify: PayloadVerification? { stream?.verify }
    var rrVerify: PayloadVerification? {
        if case let .rr(r) = workload { return r.verify }
        return nil
    }
    var strategy: BatchingStrategy? { exchange?.strategy }
    var inflight: Int? { exchange?.inflight }
    var requestSize: Int? { messageSizes?.request }
    var responseSize: Int? {
        if case let .rr(r) = workload { return r.responseSize }
        return nil
    }
    var requestSizes: SizeSpec? {
        if case let .masked(m) = workload { return m.requestSizes }
        return nil
    }
}
