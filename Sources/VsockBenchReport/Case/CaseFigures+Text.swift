import VsockBenchSupport

extension CaseResult {
    /// The 95% interval's half-width of a figure, when the case has one (several trials).
    public func halfWidth(_ figure: Figure) -> Double? {
        guard let bounds = ci?[figure.rawValue], bounds.count == 2 else { return nil }
        return (bounds[1] - bounds[0]) / 2
    }

    /// `21509`, or `21509 ±812` when the case has an interval for the figure.
    func cell(_ figure: Figure, _ format: (Double?) -> String) -> String {
        let value = format(figure.value(in: figures))
        guard let half = halfWidth(figure), value != "-" else { return value }
        return value + " ±" + format(half)
    }

    /// Mbps as the case moved it: `32115 tx` (a stream one way), `1342 each way` (symmetric
    /// request/response), `134 tx / 1342 rx` (asymmetric), with the interval when there is one.
    public var mbpsText: String {
        let tx = cell(.mbpsTx, Format.compact)
        let rx = cell(.mbpsRx, Format.compact)
        if figures.mbpsTx == 0, figures.mbpsRx == 0 { return "-" }
        if figures.mbpsRx == 0 { return tx + " tx" }
        if figures.mbpsTx == 0 { return rx + " rx" }
        // Within 0.5%: one figure, the busier direction's, as the comparison line gives it.
        if abs(figures.mbpsTx - figures.mbpsRx) <= 0.005 * max(figures.mbpsTx, figures.mbpsRx) {
            return (figures.mbpsTx >= figures.mbpsRx ? tx : rx) + " each way"
        }
        return "\(tx) tx / \(rx) rx"
    }
}
