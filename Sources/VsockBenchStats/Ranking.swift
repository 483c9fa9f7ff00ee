/// Ranks with ties: what the rank tests need from a pooled sample.
struct Ranking {
    /// The 1-based rank of each value in input order, ties sharing the mean of their ranks.
    let midranks: [Double]
    /// The size of every group of equal values larger than one.
    let tieGroups: [Int]

    /// Ranks `values`, which must hold no NaN.
    init(_ values: [Double]) {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var groups: [Int] = []
        var start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count, values[order[end]] == values[order[start]] { end += 1 }
            // Ranks start + 1 ... end share their mean.
            let shared = Double(start + 1 + end) / 2
            for position in start..<end { ranks[order[position]] = shared }
            if end - start > 1 { groups.append(end - start) }
            start = end
        }
        midranks = ranks
        tieGroups = groups
    }
}
