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

extension CaseResult {
    /// Cut short by an interrupt and nothing else: the run was interrupted while it ran, and
    /// every trial with errors is one the interrupt stopped (a trial that failed on its own
    /// still makes the case FAILED). Said "cut short", not NO: NO reads as lost or corrupted
    /// messages.
    public var cutShort: Bool {
        figures.interrupted && skipped == nil && !figures.verified && trials.allSatisfy { $0.errors.isEmpty || $0.interrupted }
    }

    /// The `verified` cell: `yes`, `NO`, `skipped` or `cut short`.
    public var verifiedText: String { skipped != nil ? "skipped" : figures.verified ? "yes" : cutShort ? "cut short" : "NO" }

    /// Ran and was not verified (failed, NO or cut short): what the HTML report marks red. A
    /// skipped case ran nothing and fails nothing (the exit code stays 0), so it is not one,
    /// though its `verified` is false: the page had called it FAILED.
    public var ranUnverified: Bool { skipped == nil && !figures.verified }

    /// What heads the case's errors: `interrupted` for a case cut short, else `FAILED`.
    public var errorsHeading: String { cutShort ? "interrupted" : "FAILED" }
}

extension CaseResult {
    /// No interval was measured: skipped, failed before it ran, or interrupted in its warmup.
    /// Its msgs/s is no measurement of 0 (the table says `-`, as for its Mbps).
    public var measuredNothing: Bool { figures.messages == 0 && figures.durationSeconds == 0 && trials.allSatisfy { $0.messages == 0 && $0.durationSeconds == 0 } }
}
