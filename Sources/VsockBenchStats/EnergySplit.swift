/// The best place to split one segment in two by the energy statistic (alpha = 1), as
/// E-divisive means does it (Matteson and James 2014, section 3.1).
///
/// For X = z[start ..< tau] (m values) and Y = z[tau ..< kappa] (n values) the statistic is
/// Q = m n / (m + n) * (2/(m n) Σ|x - y| - 2/(m(m - 1)) Σ_{i<j}|x_i - x_j| - 2/(n(n - 1)) Σ_{i<j}|y_i - y_j|):
/// the energy distance between the two parts, scaled by their sizes. The split is the tau
/// (and the end kappa, which may stop short of the segment's end so that a second change
/// further on does not hide the first) that maximise it. Running sums make every (tau, kappa)
/// pair O(1), so one segment of L values costs O(L²) time and O(L) memory, read in order.
struct EnergySplit: Equatable {
    /// The first index of the second part, in the series' coordinates.
    let location: Int
    /// The largest Q over the admissible splits.
    let statistic: Double

    /// The best split of `values` (one segment, in order; `offset` is the index of its first
    /// value in the series), each part at least `minimumSize` (>= 2) long, the second part
    /// ending at the segment's end unless `searchEnd`; nil when the segment is too short.
    init?(_ values: ArraySlice<Double>, offset: Int, minimumSize: Int, searchEnd: Bool = true) {
        let length = values.count
        guard length >= 2 * minimumSize else { return nil }
        let z = Array(values)

        // before[k] = Σ_{i<k} |z_i - z_k|: each value's distances to those before it.
        var before = [Double](repeating: 0, count: length)
        for k in 0..<length {
            var sum = 0.0
            for i in 0..<k { sum += abs(z[i] - z[k]) }
            before[k] = sum
        }
        // toFirst[k] = Σ_{i<tau} |z_i - z_k| for the current tau: distances to the first part.
        var toFirst = [Double](repeating: 0, count: length)
        var withinFirst = 0.0  // Σ_{i<j<tau} |z_i - z_j|

        var best: (location: Int, statistic: Double)? = nil
        for tau in 0...(length - minimumSize) {
            if tau >= minimumSize {
                var between = 0.0  // Σ_{i<tau<=j<kappa} |z_i - z_j|
                var withinSecond = 0.0  // Σ_{tau<=i<j<kappa} |z_i - z_j|
                let m = Double(tau)
                let firstTerm = 2 * withinFirst / (m * (m - 1))
                for kappa in (tau + 1)...length {
                    let last = kappa - 1
                    between += toFirst[last]
                    withinSecond += before[last] - toFirst[last]
                    let n = kappa - tau
                    guard n >= minimumSize, searchEnd || kappa == length else { continue }
                    let nd = Double(n)
                    let distance = 2 * between / (m * nd) - firstTerm - 2 * withinSecond / (nd * (nd - 1))
                    let q = m * nd / (m + nd) * distance
                    if best.map({ q > $0.statistic }) ?? true { best = (tau, q) }
                }
            }
            // z[tau] joins the first part.
            withinFirst += before[tau]
            for k in (tau + 1)..<length { toFirst[k] += abs(z[tau] - z[k]) }
        }
        guard let found = best else { return nil }
        location = offset + found.location
        statistic = found.statistic
    }
}
