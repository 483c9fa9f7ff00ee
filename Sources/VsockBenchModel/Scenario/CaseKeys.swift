import Yams
import VsockBenchSupport
import VsockWire

/// How one case key is read: which workloads it applies to and how its value is parsed.
struct CaseKeyRule: Sendable {
    /// nil: every workload.
    var workloads: Set<WorkloadKind>?
    var apply: @Sendable (inout CaseSpec, Node, inout Diagnostics) -> Void
}

/// The keys a case (or `defaults`) may set. Adding a knob means adding a rule here.
enum CaseKeys {
    static let maxPayload = 64 * 1024 * 1024

    static let rules: [String: CaseKeyRule] = [
        // Read by `workload(_:_:)`, in a case and in defaults, before any other key.
        "workload": CaseKeyRule(workloads: nil) { _, _, _ in },
        "duration": CaseKeyRule(workloads: nil) { spec, node, d in
            guard let nanos = duration(node, &d, key: "duration", allowZero: false) else { return }
            // The shortest slice of a time series is the shortest case too: `duration: 1us`
            // ran one message and reported it as a valid measurement.
            guard nanos >= CaseSpec.minInterval else {
                d.add(node, "duration \(Quantities.formatDuration(nanos)) is shorter than \(Quantities.formatDuration(CaseSpec.minInterval)): too short to measure anything; give at least \(Quantities.formatDuration(CaseSpec.minInterval)), or messages: N for a number of messages")
                return
            }
            spec.stop = .duration(nanos: nanos)
        },
        "warmup": CaseKeyRule(workloads: nil) { spec, node, d in
            if let nanos = duration(node, &d, key: "warmup", allowZero: true) { spec.warmupNanos = nanos }
        },
        "interval": CaseKeyRule(workloads: nil) { spec, node, d in
            if let nanos = duration(node, &d, key: "interval", allowZero: false) { spec.intervalNanos = nanos }
        },
        "messages": CaseKeyRule(workloads: nil) { spec, node, d in
            if let n = integer(node, &d, key: "messages", range: CaseSpec.messagesRange) { spec.stop = .messages(n) }
        },
        "bytes": CaseKeyRule(workloads: [.stream]) { spec, node, d in
            if let n = size(node, &d, key: "bytes", range: 1...(1 << 50)) { spec.stop = .bytes(n) }
        },
        "connections": CaseKeyRule(workloads: nil) { spec, node, d in
            if let n = integer(node, &d, key: "connections", range: 1...1024) { spec.connections = n }
        },
        "write_size": CaseKeyRule(workloads: [.stream]) { spec, node, d in
            if let n = size(node, &d, key: "write_size", range: 1...maxPayload) { spec.updateStream { $0.writeSize = n } }
        },
        "direction": CaseKeyRule(workloads: [.stream]) { spec, node, d in
            if let text = scalar(node, &d, key: "direction") {
                if let direction = StreamDirection(rawValue: text) { spec.updateStream { $0.direction = direction } }
                else { d.add(node, "direction must be tx, rx or both, not '\(text)'") }
            }
        },
        "raw": CaseKeyRule(workloads: [.stream]) { spec, node, d in
            if let value = boolean(node, &d, key: "raw") { spec.updateStream { $0.raw = value } }
        },
        "framing": CaseKeyRule(workloads: [.replay]) { spec, node, d in
            if let framing = framing(node, &d, key: "framing") { spec.updateReplay { $0.framing = framing } }
        },
        "response_framing": CaseKeyRule(workloads: [.replay]) { spec, node, d in
            if let framing = framing(node, &d, key: "response_framing") { spec.updateReplay { $0.responseFraming = framing } }
        },
        "corpus": CaseKeyRule(workloads: [.replay]) { spec, node, d in
            // Read (and checked) once every key is known: the framing may come after it.
            if let path = d.string(node, what: "corpus") {
                let resolved = path.hasPrefix("/") ? path : directory(of: d.file) + path
                spec.updateReplay { $0.corpus = resolved }
            }
        },
        "expect": CaseKeyRule(workloads: [.replay]) { spec, node, d in
            if let text = scalar(node, &d, key: "expect") {
                if let expect = ReplayExpectation(rawValue: text) { spec.updateReplay { $0.expect = expect } }
                else { d.add(node, "expect must be any or echo, not '\(text)'") }
            }
        },
        "max_response": CaseKeyRule(workloads: [.replay]) { spec, node, d in
            if let n = size(node, &d, key: "max_response", range: 1...maxPayload) { spec.updateReplay { $0.maxResponse = n } }
        },
        "verify": CaseKeyRule(workloads: [.stream, .rr]) { spec, node, d in
            if let text = scalar(node, &d, key: "verify") {
                if let verify = PayloadVerification(rawValue: text) {
                    spec.updateStream { $0.verify = verify }
                    spec.updateRR { $0.verify = verify }
                }
                else { d.add(node, "verify must be edges or full, not '\(text)'") }
            }
        },
        "request_size": CaseKeyRule(workloads: [.rr, .masked]) { spec, node, d in
            switch spec.workload {
            case var .masked(m):
                if let sizes = StrategyParser.sizeSpec(node, &d) {
                    m.requestSizes = sizes
                    spec.workload = .masked(m)
                }
            case var .rr(r):
                if let n = size(node, &d, key: "request_size", range: 0...maxPayload) {
                    r.requestSize = n
                    spec.workload = .rr(r)
                }
            case .stream, .replay:
                break
            }
        },
        "response_size": CaseKeyRule(workloads: [.rr]) { spec, node, d in
            if let n = size(node, &d, key: "response_size", range: 0...maxPayload) {
                if case var .rr(r) = spec.workload {
                    r.responseSize = n
                    spec.workload = .rr(r)
                }
            }
        },
        "strategy": CaseKeyRule(workloads: [.rr, .masked, .replay]) { spec, node, d in
            if let strategy = StrategyParser.strategy(node, &d) { spec.updateExchange { $0.strategy = strategy } }
        },
        "inflight": CaseKeyRule(workloads: [.rr, .masked, .replay]) { spec, node, d in
            if let n = integer(node, &d, key: "inflight", range: 1...4096) { spec.updateExchange { $0.inflight = n } }
        },
        "sndbuf": CaseKeyRule(workloads: nil) { spec, node, d in
            if let n = size(node, &d, key: "sndbuf", range: 1...(1 << 30)) { spec.socket.sendBuffer = n }
        },
        "rcvbuf": CaseKeyRule(workloads: nil) { spec, node, d in
            if let n = size(node, &d, key: "rcvbuf", range: 1...(1 << 30)) { spec.socket.receiveBuffer = n }
        },
        "vsock_buffer_size": CaseKeyRule(workloads: nil) { spec, node, d in
            if let n = size(node, &d, key: "vsock_buffer_size", range: 1...(1 << 30)) { spec.socket.vsockBufferSize = UInt64(n) }
        },
        "vsock_buffer_min": CaseKeyRule(workloads: nil) { spec, node, d in
            if let n = size(node, &d, key: "vsock_buffer_min", range: 1...(1 << 30)) { spec.socket.vsockBufferMin = UInt64(n) }
        },
        "vsock_buffer_max": CaseKeyRule(workloads: nil) { spec, node, d in
            if let n = size(node, &d, key: "vsock_buffer_max", range: 1...(1 << 30)) { spec.socket.vsockBufferMax = UInt64(n) }
        },
        "nodelay": CaseKeyRule(workloads: nil) { spec, node, d in
            if let value = boolean(node, &d, key: "nodelay") { spec.socket.noDelay = value }
        },
        "target_cost": CaseKeyRule(workloads: [.rr, .masked]) { spec, node, d in
            if let nanos = duration(node, &d, key: "target_cost", allowZero: true) {
                if nanos > 1_000_000_000 { d.add(node, "target_cost must be at most 1s per message") } else { spec.updateExchange { $0.targetCostNanos = nanos } }
            }
        },
        "write_chunk": CaseKeyRule(workloads: [.rr, .masked, .replay]) { spec, node, d in
            if let n = size(node, &d, key: "write_chunk", range: 1...maxPayload) { spec.updateExchange { $0.writeChunk = n } }
        },
        "rate": CaseKeyRule(workloads: [.rr, .masked, .replay]) { spec, node, d in
            if let rate = rate(node, &d) { spec.updateExchange { $0.rate = rate } }
        },
        "split_writes": CaseKeyRule(workloads: [.rr, .masked]) { spec, node, d in
            if let value = boolean(node, &d, key: "split_writes") { spec.updateExchange { $0.splitWrites = value } }
        },
        "socket_buffer": CaseKeyRule(workloads: nil) { spec, node, d in
            if let n = size(node, &d, key: "socket_buffer", range: 1024...(1 << 30)) {
                spec.socket.sendBuffer = n
                spec.socket.receiveBuffer = n
                spec.socket.vsockBufferSize = UInt64(n)
            }
        },
        "seed": CaseKeyRule(workloads: nil) { spec, node, d in
            if let n = integer(node, &d, key: "seed", range: 0...Int.max) { spec.seed = UInt64(n) }
        },
    ]

    static func suggestion(for key: String) -> String {
        if let best = Spelling.closest(to: key, among: rules.keys) { return "; did you mean '\(best)'?" }
        return "; known keys: \(rules.keys.sorted().joined(separator: ", "))"
    }

    /// A case's workload, or nil with the problem said at the value.
    static func workload(_ node: Node, _ d: inout Diagnostics) -> WorkloadKind? {
        guard let text = scalar(node, &d, key: "workload") else { return nil }
        guard let kind = WorkloadKind(rawValue: text) else {
            d.add(node, "unknown workload '\(text)'; use one of \(WorkloadKind.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        return kind
    }

    static func scalar(_ node: Node, _ d: inout Diagnostics, key: String) -> String? {
        guard let text = node.scalar?.string else {
            d.add(node, "\(key) must be a single value, not a \(node.mapping != nil ? "mapping" : "list")")
            return nil
        }
        return text
    }

    static func duration(_ node: Node, _ d: inout Diagnostics, key: String, allowZero: Bool) -> UInt64? {
        guard let text = scalar(node, &d, key: key) else { return nil }
        switch Quantities.parseDuration(text) {
        case let .success(nanos):
            if nanos == 0 && !allowZero {
                d.add(node, "\(key) must be longer than zero")
                return nil
            }
            return nanos
        case let .failure(error):
            // "a duration is 0 or more" is not this key's rule when zero is refused too; nor is
            // "for example 0s" the example to give for a bare 0 (0s is refused next).
            if !allowZero, text.trimmingSpaces.hasPrefix("-") {
                d.add(node, "\(key): '\(text)' is negative; \(key) must be longer than zero: 500ms, 5s")
            } else if !allowZero, Double(text.trimmingSpaces) == 0 {
                d.add(node, "\(key): '\(text)' needs a unit, and \(key) must be longer than zero: for example 1s or 500ms")
            } else {
                d.add(node, "\(key): \(error)")
            }
            return nil
        }
    }

    static func size(_ node: Node, _ d: inout Diagnostics, key: String, range: ClosedRange<Int>) -> Int? {
        guard let text = scalar(node, &d, key: key) else { return nil }
        switch Quantities.parseSize(text) {
        case let .success(bytes):
            guard range.contains(bytes) else {
                d.add(node, "\(key) \(text) is out of range (\(Quantities.formatSize(range.lowerBound)) to \(Quantities.formatSize(range.upperBound)))")
                return nil
            }
            return bytes
        case let .failure(error) where error.tooLarge:
            d.add(node, "\(key) \(text) is out of range (\(Quantities.formatSize(range.lowerBound)) to \(Quantities.formatSize(range.upperBound)))")
            return nil
        case let .failure(error):
            d.add(node, "\(key): \(error)")
            return nil
        }
    }

    static func integer(_ node: Node, _ d: inout Diagnostics, key: String, range: ClosedRange<Int>) -> Int? {
        guard let text = scalar(node, &d, key: key) else { return nil }
        guard let value = Int(text.replacingUnderscores) else {
            // A number past the range is out of range, however it is written (1e19 and
            // 99999999999999999999 are too large for Int; they were "not a whole number").
            if let number = Double(text.replacingUnderscores), number.isFinite,
               number < Double(range.lowerBound) || number > Double(range.upperBound) || number.magnitude >= 0x1p63 {
                d.add(node, "\(key) \(text) is out of range (\(range.lowerBound) to \(range.upperBound))")
                return nil
            }
            d.add(node, "\(key) must be a whole number, not '\(text)'")
            return nil
        }
        guard range.contains(value) else {
            d.add(node, "\(key) \(value) is out of range (\(range.lowerBound) to \(range.upperBound))")
            return nil
        }
        return value
    }

    /// `rate: 5000/s` or `rate: {rate: 5000/s, arrivals: poisson}`.
    static func rate(_ node: Node, _ d: inout Diagnostics) -> ArrivalRate? {
        let maximum = 10_000_000.0
        func perSecond(_ node: Node) -> Double? {
            guard let text = scalar(node, &d, key: "rate") else { return nil }
            guard let value = ArrivalRate.parse(text) else {
                d.add(node, "rate must be \(ArrivalRate.spelling), not '\(text)'")
                return nil
            }
            guard value <= maximum else {
                d.add(node, "rate \(text) is above \(Int(maximum))/s")
                return nil
            }
            guard value >= ArrivalRate.minimumPerSecond else {
                d.add(node, "rate \(text) is below \(ArrivalRate.minimumPerSecond)/s (one request every 100 s)")
                return nil
            }
            return value
        }
        if node.scalar != nil { return perSecond(node).map { ArrivalRate(perSecond: $0) } }
        guard let mapping = node.mapping else {
            d.add(node, "rate must be 5000/s or {rate: 5000/s, arrivals: constant|poisson}")
            return nil
        }
        var value: Double?
        var rateGiven = false
        var arrivals = ArrivalRate.Arrivals.constant
        for (keyNode, inner) in mapping {
            switch keyNode.scalar?.string {
            case "rate":
                rateGiven = true
                value = perSecond(inner)
            case "arrivals":
                if let text = scalar(inner, &d, key: "arrivals") {
                    if let kind = ArrivalRate.Arrivals(rawValue: text) { arrivals = kind } else {
                        d.add(inner, "arrivals must be constant or poisson, not '\(text)'")
                    }
                }
            default:
                d.add(keyNode, "unknown rate parameter '\(keyNode.scalar?.string ?? "?")'; use rate and arrivals")
            }
        }
        guard let value else {
            // A rate given but refused has its own error already.
            if !rateGiven { d.add(node, "rate needs rate: N/s") }
            return nil
        }
        return ArrivalRate(perSecond: value, arrivals: arrivals)
    }

    static func framing(_ node: Node, _ d: inout Diagnostics, key: String) -> MessageFraming? {
        guard let text = scalar(node, &d, key: key) else { return nil }
        guard let framing = MessageFraming(rawValue: text) else {
            d.add(node, "\(key) must be one of \(MessageFraming.allCases.map(\.rawValue).joined(separator: ", ")), not '\(text)'")
            return nil
        }
        return framing
    }

    /// The directory of a scenario file, with its trailing slash (`./` for a bare name).
    static func directory(of file: String) -> String {
        guard let slash = file.lastIndex(of: "/") else { return "./" }
        return String(file[...slash])
    }

    static func boolean(_ node: Node, _ d: inout Diagnostics, key: String) -> Bool? {
        guard let text = scalar(node, &d, key: key) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            d.add(node, "\(key) must be true or false, not '\(text)'")
            return nil
        }
    }
}

extension String {
    var replacingUnderscores: String { String(filter { $0 != "_" }) }
}
