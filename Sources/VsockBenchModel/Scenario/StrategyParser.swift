import Yams
import VsockBenchSupport

/// Reads `strategy:` and distribution-valued `request_size:` from scenario nodes.
///
///     strategy: none
///     strategy: {window: 8}
///     strategy: {coalesce: {max_messages: 10, max_bytes: 256KiB, linger: 200us}}
///     strategy: {writev: {max_messages: 10}}
///     strategy: {writer_thread: {queue_depth: 64, max_bytes: 256KiB}}
///     strategy: {normalize: {size: 8KiB}}
///     request_size: {dist: lognormal, median: 8KiB, sigma: 0.6}
enum StrategyParser {
    static let names = "none, {window: N}, {coalesce: {...}}, {writev: {...}}, {writer_thread: {...}}, {normalize: {size: B}}"

    static func strategy(_ node: Node, _ d: inout Diagnostics) -> BatchingStrategy? {
        if let text = node.scalar?.string {
            if text == "none" { return BatchingStrategy.none }
            d.add(node, "unknown strategy '\(text)'; use \(names)")
            return nil
        }
        guard let mapping = node.mapping, mapping.count == 1, let (keyNode, value) = mapping.first, let key = keyNode.scalar?.string else {
            d.add(node, "strategy must be none or a mapping with one key: \(names)")
            return nil
        }
        switch key {
        case "none":
            return BatchingStrategy.none
        case "window":
            return CaseKeys.integer(value, &d, key: "window", range: 1...4096).map { .window($0) }
        case "coalesce":
            guard let fields = fields(value, &d, strategy: "coalesce", allowed: ["max_messages", "max_bytes", "linger"]) else { return nil }
            let messages = fields["max_messages"].map { CaseKeys.integer($0, &d, key: "max_messages", range: 1...4096) } ?? 16
            let bytes = fields["max_bytes"].map { CaseKeys.size($0, &d, key: "max_bytes", range: 1...(64 << 20)) } ?? 256 * 1024
            let linger = fields["linger"].map { CaseKeys.duration($0, &d, key: "linger", allowZero: true) } ?? 200_000
            guard let messages, let bytes, let linger else { return nil }
            if linger > 1_000_000_000 { d.add(fields["linger"] ?? value, "linger must be at most 1s (it bounds the latency batching adds)"); return nil }
            return .coalesce(maxMessages: messages, maxBytes: bytes, lingerNanos: linger)
        case "writev":
            guard let fields = fields(value, &d, strategy: "writev", allowed: ["max_messages"]) else { return nil }
            let messages = fields["max_messages"].map { CaseKeys.integer($0, &d, key: "max_messages", range: 1...1024) } ?? 16
            return messages.map { .writev(maxMessages: $0) }
        case "writer_thread":
            guard let fields = fields(value, &d, strategy: "writer_thread", allowed: ["queue_depth", "max_bytes"]) else { return nil }
            let depth = fields["queue_depth"].map { CaseKeys.integer($0, &d, key: "queue_depth", range: 1...4096) } ?? 64
            let bytes = fields["max_bytes"].map { CaseKeys.size($0, &d, key: "max_bytes", range: 1...(64 << 20)) } ?? 256 * 1024
            guard let depth, let bytes else { return nil }
            return .writerThread(queueDepth: depth, maxBytes: bytes)
        case "normalize":
            guard let fields = fields(value, &d, strategy: "normalize", allowed: ["size"]) else { return nil }
            guard let sizeNode = fields["size"] else {
                d.add(value, "normalize needs size, for example {normalize: {size: 8KiB}}")
                return nil
            }
            return CaseKeys.size(sizeNode, &d, key: "size", range: 64...(64 << 20)).map { .normalize(size: $0) }
        default:
            d.add(keyNode, "unknown strategy '\(key)'; use \(names)")
            return nil
        }
    }

    /// The parameters mapping of a strategy; unknown keys are errors.
    private static func fields(_ node: Node, _ d: inout Diagnostics, strategy: String, allowed: [String]) -> [String: Node]? {
        if node.scalar?.string == "" || node.null != nil { return [:] }
        guard let mapping = MergeKeys.mapping(node, &d) else {
            d.add(node, "\(strategy) takes a mapping of \(allowed.joined(separator: ", "))")
            return nil
        }
        var result: [String: Node] = [:]
        var ok = true
        for (k, v) in mapping {
            guard let name = k.scalar?.string, allowed.contains(name) else {
                d.add(k, "unknown \(strategy) parameter '\(k.scalar?.string ?? "?")'; it takes \(allowed.joined(separator: ", "))")
                ok = false
                continue
            }
            result[name] = v
        }
        return ok ? result : nil
    }

    static func sizeSpec(_ node: Node, _ d: inout Diagnostics) -> SizeSpec? {
        let range = 512...(4 << 20)
        if node.scalar != nil {
            return CaseKeys.size(node, &d, key: "request_size", range: range).map { .fixed($0) }
        }
        guard let mapping = node.mapping else {
            d.add(node, "request_size is a size (8KiB) or {dist: uniform|lognormal, ...}")
            return nil
        }
        var fields: [String: Node] = [:]
        for (k, v) in mapping { if let name = k.scalar?.string { fields[name] = v } }
        guard let dist = fields["dist"]?.scalar?.string else {
            d.add(node, "a size distribution needs dist: uniform or dist: lognormal")
            return nil
        }
        let allowed: Set<String>
        switch dist {
        case "uniform": allowed = ["dist", "min", "max"]
        case "lognormal": allowed = ["dist", "median", "sigma"]
        default:
            d.add(fields["dist"] ?? node, "unknown distribution '\(dist)'; use uniform or lognormal")
            return nil
        }
        for (k, _) in mapping where !allowed.contains(k.scalar?.string ?? "") {
            d.add(k, "unknown key '\(k.scalar?.string ?? "?")' for a \(dist) distribution; it takes \(allowed.subtracting(["dist"]).sorted().joined(separator: ", "))")
            return nil
        }
        if dist == "uniform" {
            guard let minNode = fields["min"], let maxNode = fields["max"] else {
                d.add(node, "a uniform distribution needs min and max")
                return nil
            }
            guard let lo = CaseKeys.size(minNode, &d, key: "min", range: range), let hi = CaseKeys.size(maxNode, &d, key: "max", range: range) else { return nil }
            guard lo <= hi else {
                d.add(node, "min (\(Quantities.formatSize(lo))) is larger than max (\(Quantities.formatSize(hi)))")
                return nil
            }
            return .uniform(min: lo, max: hi)
        }
        guard let medianNode = fields["median"], let sigmaNode = fields["sigma"] else {
            d.add(node, "a lognormal distribution needs median and sigma")
            return nil
        }
        guard let median = CaseKeys.size(medianNode, &d, key: "median", range: range) else { return nil }
        guard let text = sigmaNode.scalar?.string, let sigma = Double(text), sigma >= 0, sigma <= 3 else {
            d.add(sigmaNode, "sigma must be a number from 0 to 3 (the spread of log(size))")
            return nil
        }
        return .lognormal(median: median, sigma: sigma)
    }
}
