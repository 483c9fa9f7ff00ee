import Testing
import VsockBenchStats

@testable import VsockBenchReport

@Suite struct LatencyBandwidthFitTests {
    /// t = 20 us + n / (1e9 B/s): alpha 20 us, beta 8000 Mbps, n_half 20000 bytes.
    static let alpha = 20e-6
    static let beta = 1e9
    static let sizes: [Double] = [64, 512, 4096, 8192, 65536, 262144]

    static func exactPoints() -> [LatencyBandwidthFit.Point] {
        sizes.map { .init(bytes: $0, seconds: alpha + $0 / beta) }
    }

    @Test("recovers alpha, beta and n_half exactly from exact points, R^2 = 1, residuals 0")
    func exactRecovery() throws {
        let fit = try LatencyBandwidthFit.fit(Self.exactPoints())
        #expect(abs(fit.alphaSeconds - Self.alpha) < 1e-12)
        #expect(abs(fit.betaBytesPerSecond - Self.beta) / Self.beta < 1e-9)
        #expect(abs(fit.alphaMicros - 20) < 1e-6)
        #expect(abs(fit.betaMbps - 8000) < 1e-5)
        #expect(abs(fit.nHalfBytes - 20000) < 1e-3)
        #expect(abs((fit.r2 ?? 0) - 1) < 1e-12)
        #expect(fit.residualSeconds.allSatisfy { abs($0) < 1e-15 })
        #expect(fit.isPhysical)
    }

    @Test("with +-3% deterministic noise on every point, alpha and beta stay within 10%, R^2 > 0.99")
    func noisyRecovery() throws {
        // A fixed pattern, not random: the test is the same on every run.
        let noise = [0.03, -0.02, 0.025, -0.03, 0.01, -0.015]
        let points = zip(Self.sizes, noise).map { n, e in LatencyBandwidthFit.Point(bytes: n, seconds: (Self.alpha + n / Self.beta) * (1 + e)) }
        let fit = try LatencyBandwidthFit.fit(points)
        #expect(abs(fit.alphaSeconds - Self.alpha) / Self.alpha < 0.10, "alpha \(fit.alphaMicros) us")
        #expect(abs(fit.betaBytesPerSecond - Self.beta) / Self.beta < 0.10, "beta \(fit.betaMbps) Mbps")
        let r2 = try #require(fit.r2)
        #expect(r2 > 0.99 && r2 < 1)
        #expect(fit.residualSeconds.count == points.count)
        #expect(fit.residualSeconds.contains { abs($0) > 0 })
    }

    @Test("two points define the line exactly, and so give no R^2: nothing is left to test it")
    func twoPoints() throws {
        let fit = try LatencyBandwidthFit.fit([.init(bytes: 0, seconds: 10e-6), .init(bytes: 1000, seconds: 11e-6)])
        #expect(abs(fit.alphaMicros - 10) < 1e-9)
        #expect(abs(fit.betaBytesPerSecond - 1e9) / 1e9 < 1e-9)
        #expect(fit.degreesOfFreedom == 0)
        #expect(fit.r2 == nil)
        #expect(try LatencyBandwidthFit.fit(Self.exactPoints()).degreesOfFreedom == 4)
    }

    @Test("fewer than two points is an error that asks for more sizes")
    func tooFewPoints() {
        #expect(throws: LatencyBandwidthFitError.tooFewPoints(0)) { try LatencyBandwidthFit.fit([]) }
        #expect(throws: LatencyBandwidthFitError.tooFewPoints(1)) { try LatencyBandwidthFit.fit([.init(bytes: 64, seconds: 1e-5)]) }
        #expect(LatencyBandwidthFitError.tooFewPoints(1).description.contains("at least 2"))
    }

    @Test("points all at one size cannot separate alpha from beta")
    func singleSize() {
        let points = [LatencyBandwidthFit.Point(bytes: 8192, seconds: 1e-5), .init(bytes: 8192, seconds: 1.1e-5), .init(bytes: 8192, seconds: 0.9e-5)]
        #expect(throws: LatencyBandwidthFitError.singleSize(bytes: 8192)) { try LatencyBandwidthFit.fit(points) }
        #expect(LatencyBandwidthFitError.singleSize(bytes: 8192).description.contains("same size"))
    }

    @Test("negative, zero-time and non-finite points are rejected with their index")
    func invalidPoints() {
        #expect(throws: LatencyBandwidthFitError.invalidPoint(index: 1, bytes: 64, seconds: 0)) {
            try LatencyBandwidthFit.fit([.init(bytes: 8, seconds: 1e-5), .init(bytes: 64, seconds: 0)])
        }
        #expect(throws: LatencyBandwidthFitError.self) { try LatencyBandwidthFit.fit([.init(bytes: -1, seconds: 1e-5), .init(bytes: 64, seconds: 1e-5)]) }
        #expect(throws: LatencyBandwidthFitError.self) { try LatencyBandwidthFit.fit([.init(bytes: 1, seconds: .nan), .init(bytes: 64, seconds: 1e-5)]) }
    }

    @Test("times that fall (or stay flat) as size grows have no bandwidth term")
    func noBandwidthTerm() {
        let falling = [LatencyBandwidthFit.Point(bytes: 64, seconds: 2e-5), .init(bytes: 65536, seconds: 1e-5)]
        #expect(throws: LatencyBandwidthFitError.self) { try LatencyBandwidthFit.fit(falling) }
        // The slope is said in a unit a reader can take in, not as a raw double (-1.527e-10).
        do {
            _ = try LatencyBandwidthFit.fit(falling)
            Issue.record("a falling line was fitted")
        } catch {
            #expect(error.description.contains("slope -152.7 ps a byte"), "\(error.description)")
            #expect(!error.description.contains("e-"), "\(error.description)")
        }
        let flat = [LatencyBandwidthFit.Point(bytes: 64, seconds: 2e-5), .init(bytes: 65536, seconds: 2e-5)]
        #expect(throws: LatencyBandwidthFitError.timeDoesNotGrowWithSize(secondsPerByte: 0)) { try LatencyBandwidthFit.fit(flat) }
    }

    @Test("a negative intercept is reported as not physical rather than hidden")
    func negativeAlpha() throws {
        let fit = try LatencyBandwidthFit.fit([.init(bytes: 1000, seconds: 0.5e-6), .init(bytes: 2000, seconds: 2e-6)])
        #expect(fit.alphaSeconds < 0)
        #expect(!fit.isPhysical)
        #expect(fit.bytesReaching(fraction: 0.5) == nil)
    }

    @Test("predictions: t(n), Mbps(n), the size reaching a fraction of beta, batching k messages")
    func predictions() {
        let model = LatencyBandwidthFit(alphaSeconds: Self.alpha, betaBytesPerSecond: Self.beta)
        #expect(abs(model.seconds(bytes: 20000) - 40e-6) < 1e-15)
        // At n_half the rate is exactly half of beta.
        #expect(abs(model.mbps(bytes: model.nHalfBytes) - model.betaMbps / 2) < 1e-9)
        #expect(abs((model.bytesReaching(fraction: 0.5) ?? 0) - 20000) < 1e-6)
        #expect(abs((model.bytesReaching(fraction: 0.9) ?? 0) - 180000) < 1e-6)
        #expect(model.bytesReaching(fraction: 1) == nil)
        let one = model.batched(messageBytes: 8192, count: 1)
        let many = model.batched(messageBytes: 8192, count: 32)
        #expect(abs(one.seconds - (20e-6 + 8192 / 1e9)) < 1e-15)
        #expect(abs(one.messagesPerSecond - 1 / one.seconds) < 1e-6)
        #expect(abs(one.mbps - 8192 * 8 / one.seconds / 1e6) < 1e-9)
        #expect(many.bytesPerWrite == 32 * 8192)
        #expect(abs(many.messagesPerSecond - 32 / (20e-6 + 32 * 8192 / 1e9)) < 1e-6)
        #expect(many.mbps > one.mbps && many.mbps < model.betaMbps)
        #expect(LatencyBandwidthFit.standardBatchCounts == [1, 2, 4, 8, 16, 32])
    }

    /// Reference figures computed independently with scipy 1.x (Python):
    ///   r = scipy.stats.linregress(x, y); t = scipy.stats.t.ppf(0.975, n - 2)
    ///   alpha interval = r.intercept -+ t * r.intercept_stderr; slope interval = r.slope -+ t * r.stderr,
    ///   beta interval = 8 / slope interval / 1e6 (Mbps), inverted.
    @Test("alpha's and beta's 95% intervals match scipy's linregress with a Student t quantile on n - 2 dof")
    func intervalsMatchAnIndependentReference() throws {
        // The reviewer's real rr sweep: 64B 11.6 us, 4KiB 20.1, 64KiB 51.0, 256KiB 121.9 (2 dof).
        let points = [(64.0, 11.6), (4096, 20.1), (65536, 51.0), (262144, 121.9)].map { LatencyBandwidthFit.Point(bytes: $0.0, seconds: $0.1 / 1e6) }
        let fit = try LatencyBandwidthFit.fit(points)
        // scipy: intercept 17.58962424 us, intercept_stderr 4.19037338 us, t(0.975; 2) 4.30265273.
        #expect(abs(fit.alphaMicros - 17.58962424) < 1e-6)
        #expect(abs((fit.alphaStandardErrorSeconds ?? 0) * 1e6 - 4.19037338) < 1e-6)
        let alpha = try #require(fit.alphaInterval)
        #expect(abs(alpha.lowerBound * 1e6 - -0.44009720) < 1e-4, "\(alpha)")
        #expect(abs(alpha.upperBound * 1e6 - 35.61934569) < 1e-4, "\(alpha)")
        // scipy: slope stderr 3.10119035e-11 s/B; beta 19775.70 Mbps, interval 14870.71...29509.04.
        #expect(abs((fit.slopeStandardError ?? 0) - 3.10119035e-11) < 1e-18)
        let beta = try #require(fit.betaInterval)
        #expect(abs(beta.lower * 8 / 1e6 - 14870.71) < 0.01, "\(beta)")
        #expect(abs((beta.upper ?? 0) * 8 / 1e6 - 29509.04) < 0.01, "\(beta)")
        // Five points close to 20 us + n/1e9 (residuals +0.3, -0.2, +0.1, -0.4, +0.2 us), 3 dof;
        // scipy: alpha 19.96129704 us, interval 19.38834843...20.53424566; beta interval 7957.926...8033.556 Mbps.
        let clean = try LatencyBandwidthFit.fit(zip([512.0, 4096, 16384, 65536, 262144], [0.3, -0.2, 0.1, -0.4, 0.2]).map { n, r in
            .init(bytes: n, seconds: (20 + n / 1000 + r) / 1e6)
        })
        let cleanAlpha = try #require(clean.alphaInterval)
        #expect(abs(cleanAlpha.lowerBound * 1e6 - 19.38834843) < 1e-5 && abs(cleanAlpha.upperBound * 1e6 - 20.53424566) < 1e-5, "\(cleanAlpha)")
        let cleanBeta = try #require(clean.betaInterval)
        #expect(abs(cleanBeta.lower * 8 / 1e6 - 7957.926) < 0.01 && abs((cleanBeta.upper ?? 0) * 8 / 1e6 - 8033.556) < 0.01, "\(cleanBeta)")
        // Two points: no degrees of freedom, so no standard errors and no intervals.
        let two = try LatencyBandwidthFit.fit([points[0], points[3]])
        #expect(two.alphaStandardErrorSeconds == nil && two.slopeStandardError == nil && two.alphaInterval == nil && two.betaInterval == nil)
    }

    @Test("t(0.975; dof) is scipy.stats.t.ppf(0.975, dof): the table to 30, the expansion above")
    func studentQuantile() {
        #expect(StudentT.quantile975(degreesOfFreedom: 0) == nil)
        #expect(StudentT.quantile975(degreesOfFreedom: 2) == 4.302653)
        // scipy.stats.t.ppf(0.975, dof) for 31, 40, 100, 1000.
        for (dof, reference) in [(31, 2.039513446396408), (40, 2.021075390306273), (100, 1.9839715185235518), (1000, 1.9623390808264083)] {
            #expect(abs((StudentT.quantile975(degreesOfFreedom: dof) ?? 0) - reference) < 1e-5, "\(dof)")
        }
    }
}
