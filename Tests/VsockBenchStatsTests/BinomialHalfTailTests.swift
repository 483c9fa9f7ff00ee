import Testing

@testable import VsockBenchStats

@Suite("BinomialHalfTail: the lower tail of Binomial(n, 1/2)")
struct BinomialHalfTailTests {
    @Test("the cumulative probabilities match scipy.stats.binom.cdf")
    func againstSciPy() {
        // scipy.stats.binom.cdf(k, n, 0.5), SciPy 1.17 on this machine.
        #expect(Fixtures.relativelyClose(tail(n: 50, upTo: 10), 1.1930665838377763e-05))
        #expect(Fixtures.relativelyClose(tail(n: 50, upTo: 17), 0.016419568782134242))
        #expect(Fixtures.close(tail(n: 10, upTo: 1), 11.0 / 1024))
    }

    @Test("a large n neither underflows nor overflows: n = 2000, P(B <= 900)")
    func largeN() {
        // 2^-2000 is below the smallest Double; the log-space terms get there anyway.
        // scipy.stats.binom.cdf(900, 2000, 0.5) = 4.228544767751905e-06.
        #expect(Fixtures.relativelyClose(tail(n: 2000, upTo: 900), 4.228544767751905e-06, 1e-8))
    }

    @Test("the tail reaches 1 at n and stays there")
    func reachesOne() {
        var binomial = BinomialHalfTail(n: 3)
        let values = (0..<6).map { _ in binomial.next() }
        for (value, expected) in zip(values, [0.125, 0.5, 0.875, 1, 1, 1]) {
            #expect(Fixtures.close(value, expected, 1e-15))
        }
        #expect(values[3...].allSatisfy { $0 == 1 })
    }

    private func tail(n: Int, upTo k: Int) -> Double {
        var binomial = BinomialHalfTail(n: n)
        var value = 0.0
        for _ in 0...k { value = binomial.next() }
        return value
    }
}
