import FoundationEssentials

/// Every number in a results file's cases, checked before any figure reaches arithmetic: no
/// count, rate, duration or per-message figure a run writes is negative or above 2^53 (9.0 x
/// 10^15, where doubles stop counting every integer): a case's `bytes:` goes up to 2^50, and
/// a week (the longest duration) at 100 Gbit/s is 7.6 x 10^15 bytes (a first bound of 10^15
/// refused files `run` wrote, review). A hand-edited `writes_per_msg: 9.3e18` had reached
/// `Int(...)` in a diagnosis and killed `diagnose --from` with SIGILL, no message; `check` and
/// `history add` took it.
enum ResultsNumbers {
    static let maximum = 9_007_199_254_740_992.0
    /// Keys whose numbers are identifiers, not measures: a seed takes any 64-bit value.
    static let unbounded: Set<String> = ["seed"]

    /// The first number out of range: its place (`cases[0].trials[1].writes_per_msg`) and value.
    static func firstOutOfRange(_ bytes: [UInt8]) -> (place: String, value: Double)? {
        struct Top: Decodable { var cases: Tree? }
        guard let top = try? JSONDecoder().decode(Top.self, from: Data(bytes)), let cases = top.cases else { return nil }
        return cases.firstOutOfRange(place: "cases")
    }

    /// Any JSON value; numbers as doubles (the range, not the precision, matters here).
    indirect enum Tree: Decodable {
        case number(Double)
        case array([Tree])
        case object([String: Tree])
        case other

        init(from decoder: any Decoder) throws {
            let single = try decoder.singleValueContainer()
            if single.decodeNil() { self = .other; return }
            if (try? single.decode(Bool.self)) != nil { self = .other; return }
            if let number = try? single.decode(Double.self) { self = .number(number); return }
            if (try? single.decode(String.self)) != nil { self = .other; return }
            if let array = try? single.decode([Tree].self) { self = .array(array); return }
            self = .object(try single.decode([String: Tree].self))
        }

        func firstOutOfRange(place: String) -> (place: String, value: Double)? {
            switch self {
            case let .number(value):
                return value.isFinite && value >= 0 && value <= ResultsNumbers.maximum ? nil : (place, value)
            case let .array(values):
                for (index, value) in values.enumerated() {
                    if let found = value.firstOutOfRange(place: "\(place)[\(index)]") { return found }
                }
                return nil
            case let .object(members):
                // In key order, so the same file names the same place every time.
                for key in members.keys.sorted() where !ResultsNumbers.unbounded.contains(key) {
                    if let found = members[key]?.firstOutOfRange(place: "\(place).\(key)") { return found }
                }
                return nil
            case .other:
                return nil
            }
        }
    }
}

extension Int {
    /// A figure read from a results file, or a product or quotient of such figures (each is
    /// under 2^53, their product need not be), as a whole number that cannot trap: held within
    /// +-2^62, NaN as 0. `Int(bdp)` of a ceiling times a round trip, both in range, had killed
    /// `diagnose --from` with SIGILL (review).
    init(bounded value: Double) {
        let limit = Double(1 << 62)
        self = value.isNaN ? 0 : Int(Swift.min(Swift.max(value, -limit), limit))
    }
}
