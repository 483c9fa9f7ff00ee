import VsockBenchStats

/// The direction `mbps` follows for a case. Mbps is application payload per second in one
/// direction, so a case that moves both ways is never summed: a case that moves one way
/// follows that way; one that moves both alike (within 0.5%, ``PayloadDirection/alike(_:_:)``,
/// where `run` prints `each way`) follows driver to target and says `each way`; one that moves
/// both unequally follows the busier direction and says which (`Mbps tx`). History, compare
/// and diagnose all follow it.
public struct MbpsDirection: Sendable, Equatable {
    /// `.mbpsTx` or `.mbpsRx`.
    public var figure: Figure
    public var eachWay: Bool

    public init(figure: Figure, eachWay: Bool) {
        self.figure = figure
        self.eachWay = eachWay
    }

    /// The direction of a case that moved `tx` and `rx` Mbps.
    public init(tx: Double, rx: Double) {
        eachWay = tx > 0 && rx > 0 && PayloadDirection.alike(tx, rx)
        figure = !eachWay && rx > tx ? .mbpsRx : .mbpsTx
    }

    /// The direction of a case whose runs moved `tx` and `rx` Mbps (each run's value): by the
    /// median over the runs.
    public init(tx: [Double], rx: [Double]) {
        self.init(tx: Descriptive.median(tx) ?? 0, rx: Descriptive.median(rx) ?? 0)
    }

    /// The direction of a case (its medians with several trials).
    public init(_ figures: CaseFigures) {
        self.init(tx: figures.mbpsTx, rx: figures.mbpsRx)
    }

    /// The case's Mbps in this direction.
    public func mbps(in figures: CaseFigures) -> Double { figure.value(in: figures) ?? 0 }
}
