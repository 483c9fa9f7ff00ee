import VsockBenchSupport

extension CaseSpec {
    /// A case that will take longer than this whatever the peer does is said before it runs.
    public static let longRunNoticeSeconds = 60.0

    /// An open-loop case bounded by a count takes count / rate, its warmup aside, however
    /// fast the peer answers: the line said on stderr before the run when that passes
    /// `longRunNoticeSeconds`; nil otherwise (review: a sweep's 0.5/s at --messages 100 ran
    /// 200 s without a word).
    public var longRunNotice: String? {
        guard case let .messages(count) = stop, let rate = exchange?.rate, rate.perSecond > 0 else { return nil }
        let seconds = Double(count) / rate.perSecond
        guard seconds > Self.longRunNoticeSeconds, seconds < 1e9 else { return nil }
        return "vsockbench: case '\(Terminal.safe(name))' sends \(count) messages at \(rate.summary): it will take about "
            + "\(Quantities.formatDuration(UInt64(seconds.rounded()) * 1_000_000_000)); fewer messages (--messages) or a higher rate shortens it"
    }
}
