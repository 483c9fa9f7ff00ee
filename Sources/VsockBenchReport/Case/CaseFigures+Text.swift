import VsockBenchSupport

extension CaseResult {
    /// `21509`, or `21509 ±812` when the case has an interval for the figure (``IntervalText``).
    func cell(_ figure: Figure, _ format: (Double?) -> String) -> String {
        IntervalText.cell(figure.value(in: figures), bounds: ci?[figure.rawValue], format)
    }

    /// Mbps as the case moved it: `32115 tx` (a stream one way), `1342 each way` (symmetric
    /// request/response), `134 tx / 1342 rx` (asymmetric), with the interval when there is one.
    public var mbpsText: String {
        let tx = cell(.mbpsTx, Format.compact)
        let rx = cell(.mbpsRx, Format.compact)
        if figures.mbpsTx == 0, figures.mbpsRx == 0 { return "-" }
        if figures.mbpsRx == 0 { return tx + " tx" }
        if figures.mbpsTx == 0 { return rx + " rx" }
        // Within 0.5%: one figure, driver to target's, the one `mbps` follows (MbpsDirection).
        if PayloadDirection.alike(figures.mbpsTx, figures.mbpsRx) { return tx + " each way" }
        return "\(tx) tx / \(rx) rx"
    }
}
