/// The Hodges-Lehmann estimate of the shift between two samples: the median of all n1 n2
/// differences x - y.
///
/// The size of a difference that goes with the Mann-Whitney test: robust to a wild trial, in the
/// figure's own unit (a shift of -1200 msgs/s), and zero when the samples are the same.
public enum HodgesLehmann {
    /// The median of every `first[i] - second[j]`: positive when the first sample tends to be
    /// larger. Nil when either sample is empty or holds a NaN. Takes n1 n2 values of memory,
    /// which is nothing for trial counts.
    public static func shift(_ first: [Double], _ second: [Double]) -> Double? {
        guard Descriptive.usable(first), Descriptive.usable(second) else { return nil }
        var differences: [Double] = []
        differences.reserveCapacity(first.count * second.count)
        for x in first {
            for y in second { differences.append(x - y) }
        }
        return Descriptive.median(differences)
    }
}
