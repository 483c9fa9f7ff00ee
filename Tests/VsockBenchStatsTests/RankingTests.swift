import Testing

@testable import VsockBenchStats

@Suite("Ranking: midranks and tie groups")
struct RankingTests {
    @Test("ties share the mean of their ranks; ranks stay in input order")
    func midranks() {
        // scipy.stats.rankdata([10, 20, 20, 30, 20, 5]) = [2, 4, 4, 6, 4, 1].
        let ranking = Ranking([10, 20, 20, 30, 20, 5])
        #expect(ranking.midranks == [2, 4, 4, 6, 4, 1])
        #expect(ranking.tieGroups == [3])
    }

    @Test("every group of equal values is counted; distinct values give no groups")
    func groups() {
        #expect(Ranking([1, 1, 2, 3, 3, 3, 4]).tieGroups == [2, 3])
        #expect(Ranking([3, 1, 2]).tieGroups.isEmpty)
        #expect(Ranking([3, 1, 2]).midranks == [3, 1, 2])
        #expect(Ranking([]).midranks.isEmpty)
    }
}
