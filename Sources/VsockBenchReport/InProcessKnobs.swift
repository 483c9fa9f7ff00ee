import VsockBenchEngine
import VsockBenchModel
import VsockBenchSupport

/// What `--target null` does not apply: it runs each connection one message at a time in the
/// driver's process (`InProcessTarget`), with no socket, so the knobs that shape writes, the
/// window and the socket set nothing there. A `window-8` row under null labelled `x8` while
/// nothing overlapped (review): the run's text and compare's knobs say so.
enum InProcessKnobs {
    /// The transport a `--target null` run reports.
    static let transport = InProcessTarget.endpointName

    /// The config keys (`KnobDiff`'s) that set nothing in process.
    static func isUnapplied(key: String) -> Bool {
        ["inflight", "strategy", "write_chunk", "split_writes"].contains(key) || key.hasPrefix("socket.")
    }

    /// The case's knobs that set nothing in process, as a scenario file spells them
    /// (`inflight 8`, `strategy window 8`); empty when it sets none.
    static func unapplied(_ spec: CaseSpec) -> [String] {
        var knobs: [String] = []
        if let exchange = spec.exchange {
            if exchange.inflight > 1 { knobs.append("inflight \(exchange.inflight)") }
            if exchange.strategy != .none { knobs.append("strategy \(exchange.strategy.summary)") }
            if let chunk = exchange.writeChunk { knobs.append("write_chunk \(Quantities.formatSize(chunk))") }
            if exchange.splitWrites { knobs.append("split_writes") }
        }
        let socket = spec.socket
        if socket.sendBuffer != nil || socket.receiveBuffer != nil || socket.vsockBufferSize != nil
            || socket.vsockBufferMin != nil || socket.vsockBufferMax != nil || socket.noDelay != nil {
            knobs.append("its socket options")
        }
        return knobs
    }

    /// The run's line for a case under `--target null` that sets such knobs; nil otherwise.
    static func line(_ c: CaseResult) -> String? {
        guard c.transport == transport, c.skipped == nil else { return nil }
        let knobs = unapplied(c.spec)
        guard !knobs.isEmpty else { return nil }
        return "\(Terminal.safe(c.name)): --target null runs each connection one message at a time in process, with no socket: \(knobs.joined(separator: ", ")) set nothing here (its figures are the processing ceiling, not the strategy's)"
    }
}
