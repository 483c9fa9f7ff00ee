import VsockBenchSupport

/// One direction of payload: driver to target (`mbps_tx`) or target to driver (`mbps_rx`).
/// Cases compare Mbps only within one: a case's busier direction need not be another's.
public enum PayloadDirection: CaseIterable {
    case driverToTarget, targetToDriver

    /// Whether two directions' Mbps are one figure said `each way` (within 0.5% of each
    /// other): the rule every table, chart and history line applies.
    public static func alike(_ tx: Double, _ rx: Double) -> Bool { abs(tx - rx) <= 0.005 * max(tx, rx) }

    func mbps(_ c: CaseResult) -> Double { self == .driverToTarget ? c.mbpsTx : c.mbpsRx }

    var opposite: PayloadDirection { self == .driverToTarget ? .targetToDriver : .driverToTarget }

    var text: String { self == .driverToTarget ? "driver to target" : "target to driver" }

    /// The direction the most of `cases` move (driver to target on a tie) and the cases that
    /// move it; nil when none moves payload.
    static func mostMoved(by cases: [CaseResult]) -> (direction: PayloadDirection, movers: [CaseResult])? {
        allCases.map { direction in (direction, cases.filter { direction.mbps($0) > 0 }) }
            .filter { !$0.1.isEmpty }
            .max { $0.1.count < $1.1.count }
    }

    /// A case's payload Mbps in this direction: `each way` when it moves both alike.
    func mbpsText(_ c: CaseResult) -> String {
        let value = Format.compact(mbps(c)) + " Mbps"
        if c.mbpsTx > 0, c.mbpsRx > 0, Self.alike(c.mbpsTx, c.mbpsRx) { return value + " each way" }
        return value + " " + text
    }
}
