import Testing
import VsockBenchModel
@testable import VsockBenchReport

extension CompareTests {
    /// The cases nothing beats on both throughput and p99, one front per workload.
    @Suite struct ParetoFrontTests {
        typealias F = CompareFixtures

        @Test("a case beaten on both throughput and p99 is not on the front; the trade-offs are")
        func dominatedIsNotMarked() {
            let front = ParetoFront.members([
                F.rr("fast-slow-tail", msgs: 2000, p99: 900),
                F.rr("dominated", msgs: 1500, p99: 1000),
                F.rr("slow-quick-tail", msgs: 1000, p99: 200),
                F.rr("beaten-on-p99-only", msgs: 1000, p99: 250),
            ])
            #expect(front == [true, false, true, false])
        }

        @Test("ties: equal on both figures, both stay; equal throughput and a worse p99 is beaten")
        func ties() {
            let front = ParetoFront.members([
                F.rr("a", msgs: 1000, p99: 300),
                F.rr("a-again", msgs: 1000, p99: 300),
                F.rr("same-rate-worse-tail", msgs: 1000, p99: 301),
            ])
            #expect(front == [true, true, false])
        }

        @Test("a stream is not on the rr front: each workload has its own, a stream's by Mbps alone")
        func perWorkload() {
            var masked = F.rr("masked", msgs: 100, p99: 5000)
            masked.workload = .masked
            let front = ParetoFront.members([
                F.rr("rr", msgs: 1000, p99: 300),
                F.stream("bulk", mbps: 9000),
                F.stream("bulk-slower", mbps: 8000),
                masked,
            ])
            #expect(front == [true, true, false, true], "the slow masked case is on its own front, the rr case does not beat it")
        }

        /// A tx stream and an rx stream did different jobs: each is on its own direction's
        /// front (an rx stream beat a slower tx stream: review); `both` has its own too.
        @Test func streamsHaveAFrontPerDirection() {
            func stream(_ name: String, _ direction: StreamDirection, mbps: Double) -> CaseResult {
                var c = F.stream(name, mbps: mbps)
                c.spec.workload = .stream(StreamWorkload(writeSize: 65536, direction: direction))
                return c
            }
            let cases = [stream("txs", .tx, mbps: 41694), stream("rxs", .rx, mbps: 43548), stream("both", .both, mbps: 27971), stream("tx-slow", .tx, mbps: 30000)]
            #expect(ParetoFront.members(cases) == [true, true, true, false])
            #expect(cases.map(ParetoFront.front) == ["stream tx", "stream rx", "stream both", "stream tx"])
        }

        @Test("failed and skipped cases stand on no front and beat nobody")
        func failedCasesAreNotCandidates() {
            var failed = F.rr("failed", msgs: 9000, p99: 10)
            failed.verified = false
            var skipped = F.stream("skipped", mbps: 0)
            skipped.skipped = "a stream needs a socket"
            let front = ParetoFront.members([F.rr("ok", msgs: 1000, p99: 300), failed, skipped])
            #expect(front == [true, nil, nil])
        }
    }
}
