import VsockBenchStats
import VsockBenchSupport

/// The latency-bandwidth model of a channel, t(n) = alpha + n / beta, fitted by ordinary least
/// squares (unweighted) to measured (message size, time per message) points, with the standard
/// errors of its intercept and slope and their 95% intervals (Student t, n - 2 degrees of
/// freedom; none for two points).
///
/// alpha is the fixed cost every message pays whatever its size (syscalls, notifications, a
/// round trip); beta is the bandwidth the channel approaches for large messages; n_half =
/// alpha * beta is the size at which a message reaches half of beta. Below n_half the fixed
/// cost dominates, so sending fewer, larger writes is what buys throughput; above it only a
/// faster channel helps. That is why `diagnose` quotes n_half in its advice ("coalesce to at
/// least n_half bytes per write") and ``batched(messageBytes:count:)`` for what it predicts.
///
/// The type is pure: it knows bytes and seconds, not workloads. What "a message" and "its
/// time" are is the caller's choice (`sweep` states it in its output).
public struct LatencyBandwidthFit: Sendable, Equatable {
    /// One measured point: `bytes` per message took `seconds` per message.
    public struct Point: Sendable, Equatable {
        public var bytes: Double
        public var seconds: Double

        public init(bytes: Double, seconds: Double) {
            self.bytes = bytes
            self.seconds = seconds
        }
    }

    /// What a batch of messages sent as one write is predicted to give.
    public struct Prediction: Sendable, Equatable {
        /// Messages per write.
        public var count: Int
        /// Bytes per write (count x message bytes).
        public var bytesPerWrite: Double
        /// Model time for the whole batch, seconds.
        public var seconds: Double
        /// Messages per second.
        public var messagesPerSecond: Double
        /// Payload megabits per second (10^6 bits), counting each byte once.
        public var mbps: Double
    }

    /// The points the model was fitted to, in the order given.
    public let points: [Point]
    /// Fixed cost per message, seconds (the intercept).
    public let alphaSeconds: Double
    /// Asymptotic bandwidth, bytes per second (the inverse of the slope).
    public let betaBytesPerSecond: Double
    /// Coefficient of determination of the fit over `points` (1: the line explains all
    /// variance); nil where it means nothing: a model given without points, or two points,
    /// which the line passes through whatever their noise (no degrees of freedom).
    public let r2: Double?
    /// Standard error of alpha, seconds: sqrt(s^2 (1/n + mean(x)^2 / Sxx)) with s^2 the residual
    /// sum of squares over n - 2; nil with no degrees of freedom (two points, or no points).
    public let alphaStandardErrorSeconds: Double?
    /// Standard error of the slope 1/beta, seconds per byte: sqrt(s^2 / Sxx); nil as above.
    public let slopeStandardError: Double?

    /// Fits the model to `points` (at least two distinct sizes).
    ///
    /// Throws when the points cannot define the model: fewer than two, all at one size,
    /// a size or time that is negative or not finite, or times that do not grow with size
    /// (no bandwidth term: beta would be infinite or negative).
    public static func fit(_ points: [Point]) throws(LatencyBandwidthFitError) -> LatencyBandwidthFit {
        guard points.count >= 2 else { throw .tooFewPoints(points.count) }
        for (index, point) in points.enumerated() {
            guard point.bytes.isFinite, point.bytes >= 0, point.seconds.isFinite, point.seconds > 0 else {
                throw .invalidPoint(index: index, bytes: point.bytes, seconds: point.seconds)
            }
        }
        let count = Double(points.count)
        let meanX = points.reduce(0) { $0 + $1.bytes } / count
        let meanY = points.reduce(0) { $0 + $1.seconds } / count
        var sxx = 0.0
        var sxy = 0.0
        var syy = 0.0
        for point in points {
            let dx = point.bytes - meanX
            let dy = point.seconds - meanY
            sxx += dx * dx
            sxy += dx * dy
            syy += dy * dy
        }
        guard sxx > 0 else { throw .singleSize(bytes: meanX) }
        let slope = sxy / sxx
        guard slope > 0 else { throw .timeDoesNotGrowWithSize(secondsPerByte: slope) }
        let intercept = meanY - slope * meanX
        var residualSquares = 0.0
        for point in points {
            let residual = point.seconds - (intercept + slope * point.bytes)
            residualSquares += residual * residual
        }
        let r2: Double? = points.count > 2 ? (syy > 0 ? 1 - residualSquares / syy : 1) : nil
        var alphaError: Double?
        var slopeError: Double?
        if points.count > 2 {
            let s2 = residualSquares / (count - 2)
            alphaError = (s2 * (1 / count + meanX * meanX / sxx)).squareRoot()
            slopeError = (s2 / sxx).squareRoot()
        }
        return LatencyBandwidthFit(
            points: points, alphaSeconds: intercept, betaBytesPerSecond: 1 / slope, r2: r2,
            alphaStandardErrorSeconds: alphaError, slopeStandardError: slopeError)
    }

    /// A model with known parameters (no points), for predictions and tests.
    public init(alphaSeconds: Double, betaBytesPerSecond: Double) {
        self.init(
            points: [], alphaSeconds: alphaSeconds, betaBytesPerSecond: betaBytesPerSecond, r2: nil,
            alphaStandardErrorSeconds: nil, slopeStandardError: nil)
    }

    private init(
        points: [Point], alphaSeconds: Double, betaBytesPerSecond: Double, r2: Double?,
        alphaStandardErrorSeconds: Double?, slopeStandardError: Double?
    ) {
        self.points = points
        self.alphaSeconds = alphaSeconds
        self.betaBytesPerSecond = betaBytesPerSecond
        self.r2 = r2
        self.alphaStandardErrorSeconds = alphaStandardErrorSeconds
        self.slopeStandardError = slopeStandardError
    }

    /// The confidence of ``alphaInterval`` and ``betaInterval``.
    public static let intervalConfidence = 0.95

    /// The 95% interval of alpha, seconds: alpha ± t(0.975; n - 2) x its standard error. nil
    /// with no degrees of freedom (two points: nothing measures the noise).
    public var alphaInterval: ClosedRange<Double>? {
        guard let se = alphaStandardErrorSeconds, let t = StudentT.quantile975(degreesOfFreedom: degreesOfFreedom) else { return nil }
        return (alphaSeconds - t * se)...(alphaSeconds + t * se)
    }

    /// The 95% interval of beta, bytes per second: the slope's interval inverted. `upper` is nil
    /// when the slope's interval reaches 0 (the points cannot bound the bandwidth from above);
    /// nil with no degrees of freedom.
    public var betaInterval: (lower: Double, upper: Double?)? {
        guard let se = slopeStandardError, let t = StudentT.quantile975(degreesOfFreedom: degreesOfFreedom) else { return nil }
        let slope = 1 / betaBytesPerSecond
        let low = slope - t * se
        return (1 / (slope + t * se), low > 0 ? 1 / low : nil)
    }

    /// Points beyond the two that define the line: with none, the fit says nothing of how well
    /// the model holds, and what it predicts rests on two measurements alone.
    public var degreesOfFreedom: Int { max(points.count - 2, 0) }

    /// alpha in microseconds.
    public var alphaMicros: Double { alphaSeconds * 1e6 }

    /// beta in megabits per second (10^6 bits).
    public var betaMbps: Double { betaBytesPerSecond * 8 / 1e6 }

    /// n_half = alpha * beta: the message size that reaches half of beta, bytes.
    public var nHalfBytes: Double { alphaSeconds * betaBytesPerSecond }

    /// False when the fit gives a negative fixed cost: the points are too noisy (or alpha too
    /// small against them) to tell alpha from zero; beta is still usable, n_half is not.
    public var isPhysical: Bool { alphaSeconds >= 0 && betaBytesPerSecond > 0 }

    /// Model time per message of `bytes`, seconds.
    public func seconds(bytes: Double) -> Double { alphaSeconds + bytes / betaBytesPerSecond }

    /// Measured minus model time for each point, seconds, in the order of ``points``.
    public var residualSeconds: [Double] { points.map { $0.seconds - seconds(bytes: $0.bytes) } }

    /// Payload Mbps of back-to-back messages of `bytes`: bytes / t(bytes).
    public func mbps(bytes: Double) -> Double {
        let t = seconds(bytes: bytes)
        return t > 0 ? bytes * 8 / t / 1e6 : 0
    }

    /// The message size that reaches `fraction` (0 < fraction < 1) of beta:
    /// n / (alpha + n / beta) = fraction * beta, so n = fraction / (1 - fraction) * n_half.
    /// nil for a fraction outside (0, 1) or a fit without a positive alpha.
    public func bytesReaching(fraction: Double) -> Double? {
        guard fraction > 0, fraction < 1, alphaSeconds > 0 else { return nil }
        return fraction / (1 - fraction) * nHalfBytes
    }

    /// What sending `count` messages of `messageBytes` as one write is predicted to give: the
    /// batch pays alpha once, t = alpha + count * messageBytes / beta.
    public func batched(messageBytes: Double, count: Int) -> Prediction {
        let bytes = Double(count) * messageBytes
        let t = seconds(bytes: bytes)
        let perSecond = t > 0 ? Double(count) / t : 0
        return Prediction(
            count: count, bytesPerWrite: bytes, seconds: t, messagesPerSecond: perSecond,
            mbps: perSecond * messageBytes * 8 / 1e6)
    }

    /// The batch sizes `sweep` reports.
    public static let standardBatchCounts = [1, 2, 4, 8, 16, 32]
}

/// Why a set of points cannot be fitted; the text says what to change.
public enum LatencyBandwidthFitError: Error, Sendable, Equatable, CustomStringConvertible {
    case tooFewPoints(Int)
    case singleSize(bytes: Double)
    case invalidPoint(index: Int, bytes: Double, seconds: Double)
    case timeDoesNotGrowWithSize(secondsPerByte: Double)

    public var description: String {
        switch self {
        case let .tooFewPoints(count):
            return "the latency-bandwidth fit needs at least 2 measured sizes, got \(count); give more sizes (for example 512B,8KiB,64KiB)"
        case let .singleSize(bytes):
            return "every point has the same size (\(Format.compact(bytes)) bytes), so the fit cannot separate the fixed cost from the bandwidth; give at least 2 different sizes"
        case let .invalidPoint(index, bytes, seconds):
            return "point \(index + 1) is not usable (size \(bytes) bytes, time \(seconds) s): sizes must be >= 0 and times > 0, both finite"
        case let .timeDoesNotGrowWithSize(slope):
            return "time per message does not grow with size across these points (slope \(Format.compact(slope * 1e12)) ps a byte), so there is no bandwidth term to fit; measure a wider range of sizes or longer"
        }
    }
}
