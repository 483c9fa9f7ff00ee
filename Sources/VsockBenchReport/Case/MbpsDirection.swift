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
    /// The case moves both ways, unequally (`history show`'s `134 tx / 1342 rx`): ``figure``
    /// is the busier direction, and every direction it moves is ``moved``.
    public var bothUnequal: Bool

    public init(figure: Figure, eachWay: Bool, bothUnequal: Bool = false) {
        self.figure = figure
        self.eachWay = eachWay
        self.bothUnequal = bothUnequal
    }

    /// The direction of a case that moved `tx` and `rx` Mbps.
    public init(tx: Double, rx: Double) {
        eachWay = tx > 0 && rx > 0 && PayloadDirection.alike(tx, rx)
        bothUnequal = tx > 0 && rx > 0 && !eachWay
        figure = !eachWay && rx > tx ? .mbpsRx : .mbpsTx
    }

    /// Every direction the case moves, one figure each, as `history show` prints them: the
    /// one it moves, or `each way` for both alike (``figure``); both for both unequally, each
    /// under its own label. Never a direction the case does not move.
    public var moved: [Figure] { bothUnequal ? [.mbpsTx, .mbpsRx] : [figure] }

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
