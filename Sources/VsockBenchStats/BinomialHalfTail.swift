#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The lower tail of Binomial(n, 1/2), one term at a time: P(B <= 0), P(B <= 1), ... where B is
/// how many of n samples fall below the true median.
///
/// Each term is kept as a logarithm and updated by the ratio of consecutive binomial
/// coefficients, so that 2^-n does not underflow and no factorial overflows for large n.
struct BinomialHalfTail {
    let n: Int
    private var i = -1
    private var logTerm = 0.0
    private var sum = 0.0

    init(n: Int) {
        self.n = n
    }

    /// P(B <= i) for the next i, starting at 0; 1 once i reaches n.
    mutating func next() -> Double {
        i += 1
        guard i <= n else { return 1 }
        logTerm = i == 0 ? -Double(n) * log(2.0) : logTerm + log(Double(n - i + 1) / Double(i))
        sum += exp(logTerm)
        return Swift.min(sum, 1)
    }
}
