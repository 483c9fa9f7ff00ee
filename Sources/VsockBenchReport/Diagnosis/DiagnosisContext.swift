import VsockBenchModel
import VsockTransport

/// What a verdict may compare a case against: the channel's ceiling (the best bulk case of the
/// same run) and a latency-bandwidth model (from a sweep, or estimated from this run).
public struct DiagnosisContext: Sendable {
    /// Best Mbps of a stream case in the run, and its name.
    public var ceilingMbps: Double?
    public var ceilingCase: String?
    /// t(n) = alpha + n/beta for one message of n bytes each way.
    public var fit: LatencyBandwidthFit?
    /// Where the fit came from, said in the advice.
    public var fitSource: String?

    public init(ceilingMbps: Double? = nil, ceilingCase: String? = nil, fit: LatencyBandwidthFit? = nil, fitSource: String? = nil) {
        self.ceilingMbps = ceilingMbps
        self.ceilingCase = ceilingCase
        self.fit = fit
        self.fitSource = fitSource
    }

    /// The ceiling from the run's stream cases, and a fit: the given one, or a two-point
    /// estimate from the run (alpha from a plain stop-and-wait rr case, beta from the ceiling).
    public static func from(_ document: RunDocument, fit given: LatencyBandwidthFit? = nil, fitSource: String? = nil) -> DiagnosisContext {
        var context = DiagnosisContext()
        if let best = document.cases.filter({ $0.workload == .stream && $0.verified }).max(by: { $0.mbpsTotal < $1.mbpsTotal }) {
            context.ceilingMbps = best.mbpsTotal
            context.ceilingCase = best.name
        }
        if let given {
            context.fit = given
            context.fitSource = fitSource ?? "the sweep"
        } else if let ceiling = context.ceilingMbps, let plain = document.cases.first(where: Self.isPlainStopAndWait),
                  let sizes = plain.spec.messageSizes {
            let beta = ceiling * 1e6 / 8
            let n = Double(sizes.request)
            let t = 1 / max(plain.msgsPerSecond, 1e-9)
            // Both directions cross the channel in a round trip.
            let alpha = t - 2 * n / beta
            if alpha > 0 {
                context.fit = LatencyBandwidthFit(alphaSeconds: alpha, betaBytesPerSecond: beta)
                context.fitSource = "estimated from \(plain.name) (alpha) and \(context.ceilingCase ?? "the bulk case") (beta)"
            }
        }
        return context
    }

    /// An rr case with nothing added: one connection, one in flight, one write per frame.
    static func isPlainStopAndWait(_ c: CaseResult) -> Bool {
        c.workload == .rr && c.verified && c.spec.connections == 1 && c.spec.exchange == Exchange() && c.spec.socket == SocketOptions()
    }
}
