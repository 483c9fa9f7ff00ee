/// The best place to split one segment in two by the energy statistic (alpha = 1), as
/// E-divisive means does it (Matteson and James 2014, section 3.1).
///
/// For X = z[start ..< tau] (m values) and Y = z[tau ..< kappa] (n values) the statistic is
/// Q = m n / (m + n) * (2/(m n) Σ|x - y| - 2/(m(m - 1)) Σ_{i<j}|x_i - x_j| - 2/(n(n - 1)) Σ_{i<j}|y_i - y_j|):
/// the energy distance between the two parts, scaled by their sizes. The split is the tau
/// (and the end kappa, which may stop short of the segment's end so that a second change
/// further on does not hide the first) that maximise it. Prefix sums of the distances make
/// every (tau, kappa) pair O(1), so one segment of L values costs O(L²) time and memory.
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

        // Row k of the triangle (starting at k (k + 1) / 2, k + 1 long) holds, at j, the sum
        // of |z_i - z_k| over i < j: the distances from z_k to the values before j.
        var triangle = [Double](repeating: 0, count: length * (length + 1) / 2)
        for k in 0..<length {
            let row = k * (k + 1) / 2
            for j in 0..<k { triangle[row + j + 1] = triangle[row + j] + abs(z[j] - z[k]) }
        }

        var best: (location: Int, statistic: Double)? = nil
        var withinFirst = 0.0  // Σ_{i<j<tau} |z_i - z_j|
        for tau in 0...(length - minimumSize) {
            if tau >= minimumSize {
                var between = 0.0  // Σ_{i<tau, tau<=j<kappa} |z_i - z_j|
                var withinSecond = 0.0  // Σ_{tau<=i<j<kappa} |z_i - z_j|
                let m = Double(tau)
                let firstTerm = 2 * withinFirst / (m * (m - 1))
                for kappa in (tau + 1)...length {
                    let last = (kappa - 1) * kappa / 2  // row of z[kappa - 1]
                    let toFirst = triangle[last + tau]
                    between += toFirst
                    withinSecond += triangle[last + kappa - 1] - toFirst
                    let n = kappa - tau
                    guard n >= minimumSize, searchEnd || kappa == length else { continue }
                    let nd = Double(n)
                    let distance = 2 * between / (m * nd) - firstTerm - 2 * withinSecond / (nd * (nd - 1))
                    let q = m * nd / (m + nd) * distance
                    if best.map({ q > $0.statistic }) ?? true { best = (tau, q) }
                }
            }
            withinFirst += triangle[tau * (tau + 1) / 2 + tau]
        }
        guard let found = best else { return nil }
        location = offset + found.location
        statistic = found.statistic
    }
}
