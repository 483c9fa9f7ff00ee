import VsockBenchModel
import VsockBenchSupport
import VsockTransport
import VsockWire

/// What a verdict may compare a case against: the channel's ceiling (the best bulk case of the
/// same run), a latency-bandwidth model (from a sweep, or estimated from this run), the run's
/// other cases (a sibling that already has a fix shows what the fix gives) and the driver's
/// host (to tell whether driver and target share its CPUs).
public struct DiagnosisContext: Sendable {
    /// Best one-way Mbps of a stream case in the run, and its name.
    public var ceilingMbps: Double?
    public var ceilingCase: String?
    /// Relative uncertainty of the ceiling (by default a single trial's ±25%).
    public var ceilingUncertainty: Double
    /// t(n) = alpha + n/beta for one message of n bytes each way.
    public var fit: LatencyBandwidthFit?
    /// Where the fit came from, said in the advice.
    public var fitSource: String?
    /// Relative uncertainty of the fit's alpha.
    public var fitUncertainty: Double
    /// How many times `fit`'s beta is the beta its source printed: an rr or masked sweep's beta
    /// is per byte of n with n crossing each way, so one direction of the channel is that many
    /// times faster (``SweepWorkload/wireFactor``). 1 otherwise.
    public var fitBetaFactor: Double = 1
    /// True when the fit's alpha is the fixed cost of one write (a stream sweep's), false when
    /// it is a round trip (an rr or masked sweep's, or the estimate from a plain rr case): only
    /// a write's n_half says whether a stream's writes amortise their fixed cost.
    public var fitIsPerWrite = false
    /// Every case of the run (a case finds its siblings here).
    public var cases: [CaseResult]
    /// The host the driver ran on; with the target's host facts, says whether they share CPUs.
    public var driverHost: HostFacts?

    public init(ceilingMbps: Double? = nil, ceilingCase: String? = nil, fit: LatencyBandwidthFit? = nil, fitSource: String? = nil,
                cases: [CaseResult] = [], driverHost: HostFacts? = nil,
                ceilingUncertainty: Double = 0.25, fitUncertainty: Double = 0.25) {
        self.ceilingMbps = ceilingMbps
        self.ceilingCase = ceilingCase
        self.fit = fit
        self.fitSource = fitSource
        self.cases = cases
        self.driverHost = driverHost
        self.ceilingUncertainty = ceilingUncertainty
        self.fitUncertainty = fitUncertainty
    }

    /// The ceiling from the run's stream cases, and a fit: the given one, or a two-point
    /// estimate from the run (alpha from a plain stop-and-wait rr case, beta from the ceiling).
    public static func from(_ document: RunDocument, fit given: LatencyBandwidthFit? = nil, fitSource: String? = nil) -> DiagnosisContext {
        var context = DiagnosisContext(cases: document.cases, driverHost: document.host.driver)
        if let best = document.cases.filter({ $0.workload == .stream && $0.verified }).max(by: { oneWayMbps($0) < oneWayMbps($1) }) {
            context.ceilingMbps = oneWayMbps(best)
            context.ceilingCase = best.name
            context.ceilingUncertainty = Uncertainty.relative(best, MbpsDirection(best.figures).figure)
        }
        if let given {
            context.fit = given
            context.fitSource = fitSource ?? "the sweep"
        } else if let ceiling = context.ceilingMbps, let plain = document.cases.first(where: Self.isPlainStopAndWait),
                  let sizes = plain.spec.messageSizes {
            let beta = ceiling * 1e6 / 8
            let t = 1 / max(plain.msgsPerSecond, 1e-9)
            // Both directions cross the channel in a round trip.
            let alpha = t - Double(sizes.request + sizes.response) / beta
            if alpha > 0 {
                context.fit = LatencyBandwidthFit(alphaSeconds: alpha, betaBytesPerSecond: beta)
                context.fitSource = "estimated from \(plain.name) (alpha) and \(context.ceilingCase ?? "the bulk case") (beta)"
                context.fitUncertainty = Uncertainty.relative(plain, .msgsPerSecond)
            }
        }
        return context
    }

    /// The fit's beta as the advice says it: one direction of the channel, and where that is not
    /// the figure its sweep printed (an rr or masked sweep's beta is of n each way), that figure
    /// too, so that the two files do not seem to disagree.
    func betaText(_ fit: LatencyBandwidthFit) -> String {
        guard fitBetaFactor > 1 else { return "beta \(Say.mbps(fit.betaMbps))" }
        return "\(Say.mbps(fit.betaMbps)) one way (the sweep's beta, \(Say.mbps(fit.betaMbps / fitBetaFactor)) of n each way, \(Format.compact(fitBetaFactor))x: a round trip carries n both ways)"
    }

    /// A stream's payload Mbps in the direction its `mbps` follows (``MbpsDirection``): what
    /// one direction of the channel carried.
    static func oneWayMbps(_ c: CaseResult) -> Double { MbpsDirection(c.figures).mbps(in: c.figures) }

    /// An rr case with nothing added: one connection, one in flight, one write per frame.
    static func isPlainStopAndWait(_ c: CaseResult) -> Bool {
        c.workload == .rr && c.verified && c.spec.connections == 1 && c.spec.exchange == Exchange() && c.spec.socket == SocketOptions()
    }
}
