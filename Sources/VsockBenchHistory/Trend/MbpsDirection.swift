import VsockBenchReport
import VsockBenchStats

/// The direction `mbps` follows for a case. Mbps is application payload per second in one
/// direction, so a case that moves both ways is never summed: a case that moves one way
/// follows that way; one that moves both alike (within 0.5%, where `run` prints `each way`)
/// follows driver to target and says `each way`; one that moves both unequally follows the
/// busier direction (by the median over the runs looked at) and says which (`Mbps tx`).
public struct MbpsDirection: Sendable, Equatable {
    /// `.mbpsTx` or `.mbpsRx`.
    public var figure: Figure
    public var eachWay: Bool

    public init(figure: Figure, eachWay: Bool) {
        self.figure = figure
        self.eachWay = eachWay
    }

    /// The direction of a case whose runs moved `tx` and `rx` Mbps (each run's value).
    public init(tx: [Double], rx: [Double]) {
        let t = Descriptive.median(tx) ?? 0, r = Descriptive.median(rx) ?? 0
        eachWay = t > 0 && r > 0 && PayloadDirection.alike(t, r)
        figure = !eachWay && r > t ? .mbpsRx : .mbpsTx
    }
}

extension Figure {
    /// The label history prints: Mbps names its direction (`Mbps each way`, `Mbps tx`), and
    /// the sum of both directions says it is a sum, never plain Mbps.
    func historyLabel(eachWay: Bool = false) -> String {
        switch self {
        case .mbpsTx, .mbpsRx: return eachWay ? "Mbps each way" : label
        case .mbpsTotal: return "Mbps tx+rx summed"
        default: return label
        }
    }
}
