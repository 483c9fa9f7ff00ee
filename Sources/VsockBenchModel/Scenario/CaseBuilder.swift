import Yams
import VsockBenchSupport

/// Turns one case mapping (plus the scenario's defaults) into a validated `CaseSpec`.
enum CaseBuilder {
    static let stopKeys: Set<String> = ["duration", "messages", "bytes"]
    /// Case names are labels in tables, JSON and logs: short printable text.
    static let maximumNameBytes = 128

    /// The same rule holds for the scenario's own name (`what`), shown in the same places.
    static func nameProblem(_ name: String, what: String = "the case name") -> String? {
        if name.utf8.count > maximumNameBytes { return "\(what) has \(name.utf8.count) bytes; names are at most \(maximumNameBytes)" }
        if name.unicodeScalars.contains(where: Terminal.isControl) {
            return "\(what) has control characters (or bidirectional controls); names are printable text"
        }
        return nil
    }

    /// The name a case mapping gives itself, when it gives a usable one, whatever else is
    /// wrong with the case: the loader checks names for duplicates on every case, not only on
    /// the cases that build (a duplicate is reported with the case's other problems).
    static func declaredName(_ node: Node) -> String? {
        // Its own keys only: a name merged in would be every such case's, and resolving the
        // merges twice per case doubled what a fanning anchor costs.
        guard let mapping = node.mapping,
              let value = mapping.first(where: { $0.key.scalar?.string == "name" })?.value,
              let name = value.scalar?.string, !name.isEmpty, nameProblem(name) == nil else { return nil }
        return name
    }

    /// No key takes null (`null`, `~`, or nothing after the colon): it unsets nothing, not even
    /// a value from `defaults`, and would otherwise be refused as a wrong value ("expect must
    /// be any or echo, not 'null'") that does not say so. Refused the same way for every key,
    /// with what to write instead.
    static func nullProblem(_ key: String, _ value: Node) -> String? {
        guard value.null != nil else { return nil }
        let instead = key == "expect" ? "expect: any for no expectation" : "the value this case needs"
        return "\(key): null is not a value: it unsets nothing, not even a value from defaults; give \(instead)"
    }

    /// What `socket_buffer` sets at once; one mapping gives it or these, not both (the last
    /// key given won without a word).
    static let socketBufferParts = ["sndbuf", "rcvbuf", "vsock_buffer_size"]

    /// A mapping's keys (a case's own, or defaults) that set one socket buffer twice: said at
    /// the later key.
    static func socketBufferConflicts(_ entries: [(key: String, keyNode: Node, value: Node)], _ d: inout Diagnostics) {
        guard let whole = entries.firstIndex(where: { $0.key == "socket_buffer" }) else { return }
        for (index, entry) in entries.enumerated() where socketBufferParts.contains(entry.key) {
            d.add(entries[max(index, whole)].keyNode, "socket_buffer sets \(socketBufferParts.joined(separator: ", ")) at once: give it or \(entry.key), not both")
        }
    }

    static func build(_ node: Node, defaults: [(key: String, keyNode: Node, value: Node)], corpora: inout CorpusCache, diagnostics d: inout Diagnostics) -> CaseSpec? {
        guard let mapping = MergeKeys.mapping(node, &d) else {
            d.add(node, "each case must be a mapping such as {name: bulk, workload: stream}")
            return nil
        }
        let before = d.items.count
        var own: [(key: String, keyNode: Node, value: Node)] = []
        var name: String?
        var workload: WorkloadKind?
        for (keyNode, value) in mapping {
            guard let key = keyNode.scalar?.string else {
                d.add(keyNode, "keys must be plain words")
                continue
            }
            if own.contains(where: { $0.key == key }) {
                d.add(keyNode, "key '\(key)' appears twice in this case")
                continue
            }
            switch key {
            case "name":
                name = d.string(value, what: "the case name")
                if let text = name, let problem = CaseBuilder.nameProblem(text) {
                    d.add(value, problem)
                    name = nil
                }
            case "workload":
                workload = CaseKeys.workload(value, &d)
            default:
                if CaseKeys.rules[key] == nil {
                    d.add(keyNode, "unknown key '\(key)'\(CaseKeys.suggestion(for: key))")
                    continue
                }
            }
            own.append((key, keyNode, value))
        }
        if name == nil, !own.contains(where: { $0.key == "name" }) {
            d.add(node, "this case has no name")
        }
        if workload == nil, !own.contains(where: { $0.key == "workload" }) {
            if let fromDefaults = defaults.first(where: { $0.key == "workload" }) {
                // One refused in defaults was said there, at its own line, once.
                workload = fromDefaults.value.scalar.flatMap { WorkloadKind(rawValue: $0.string) }
            } else {
                d.add(node, "case '\(name ?? "?")' has no workload; use one of \(WorkloadKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        // An unknown or repeated key does not stop the rest of the case being checked: every
        // problem is reported at once. Without a name or a workload there is no case to check.
        guard let name, let workload else { return nil }

        var spec = CaseSpec(name: name, workload: workload)
        spec.sourceLine = node.mark?.line
        let ownStops = own.filter { stopKeys.contains($0.key) }
        if ownStops.count > 1 {
            d.add(ownStops[1].keyNode, "use one of duration, messages or bytes, not \(ownStops.map(\.key).joined(separator: " and "))")
        }
        // Defaults first, skipping what does not apply to this workload; then the case's own keys.
        // Keys whose value was refused: what depends on them is not checked again (a bad
        // framing was followed by a corpus error, the corpus read in the default framing).
        var refusedKeys: Set<String> = []
        for entry in defaults where entry.key != "workload" {
            guard let rule = CaseKeys.rules[entry.key] else { continue }
            if let kinds = rule.workloads, !kinds.contains(workload) { continue }
            if !ownStops.isEmpty, stopKeys.contains(entry.key) { continue }
            let count = d.items.count
            rule.apply(&spec, entry.value, &d)
            if d.items.count > count { refusedKeys.insert(entry.key) }
        }
        for entry in own where entry.key != "name" && entry.key != "workload" {
            guard let rule = CaseKeys.rules[entry.key] else { continue }
            if let kinds = rule.workloads, !kinds.contains(workload) {
                d.add(entry.keyNode, "'\(entry.key)' applies to \(kinds.map(\.rawValue).sorted().joined(separator: "/")) cases, not \(workload.rawValue)")
                continue
            }
            if let problem = nullProblem(entry.key, entry.value) {
                d.add(entry.value, problem)
                refusedKeys.insert(entry.key)
                continue
            }
            let count = d.items.count
            rule.apply(&spec, entry.value, &d)
            if d.items.count > count { refusedKeys.insert(entry.key) }
        }
        socketBufferConflicts(own, &d)
        if let low = spec.socket.vsockBufferMin, let high = spec.socket.vsockBufferMax, low > high,
           !refusedKeys.contains("vsock_buffer_min"), !refusedKeys.contains("vsock_buffer_max") {
            let bounds: Set<String> = ["vsock_buffer_min", "vsock_buffer_max"]
            let line = own.last { bounds.contains($0.key) }?.keyNode ?? defaults.last { bounds.contains($0.key) }?.keyNode ?? node
            d.add(line, "vsock_buffer_min (\(Quantities.formatSize(Int(low)))) is larger than vsock_buffer_max (\(Quantities.formatSize(Int(high)))): give a minimum at most the maximum")
        }
        let inflightSet = own.contains { $0.key == "inflight" } || defaults.contains { $0.key == "inflight" && workload.isRequestResponse }
        if let exchange = spec.exchange {
            if !inflightSet, exchange.rate != nil {
                // Open loop: the in-flight window is only a cap; a generous one by default (less
                // with a long target_cost), or the window a strategy names (`{window: 8}` was
                // silently a cap of 1024).
                var cap = exchange.openLoopDefaultCap
                if case let .window(n) = exchange.strategy { cap = n }
                spec.updateExchange { $0.inflight = cap }
            } else if !inflightSet, let implied = exchange.strategy.impliedInflight {
                spec.updateExchange { $0.inflight = implied }
            } else if inflightSet, case let .window(n) = exchange.strategy, n != exchange.inflight {
                let line = own.first { $0.key == "inflight" }?.keyNode ?? node
                d.add(line, "inflight \(exchange.inflight) contradicts strategy {window: \(n)}; give one of them")
            }
        }
        if case let .replay(replay) = spec.workload {
            let corpusNode = own.first { $0.key == "corpus" }?.value ?? defaults.first { $0.key == "corpus" }?.value
            if replay.corpus.isEmpty {
                d.add(node, "a replay case needs corpus: FILE (messages in its framing; `vsockbench corpus` builds one)")
            } else if !refusedKeys.contains("framing") {
                switch corpora.stats(path: replay.corpus, framing: replay.framing) {
                case let .success(stats):
                    spec.updateReplay { $0.corpusStats = stats }
                    // An echo of the largest message must be a response the run accepts: known
                    // now, it failed mid-run blaming the service ("a length of 20000000 bytes
                    // is over the limit").
                    if replay.expect == .echo, stats.largest > replay.maxResponse,
                       !refusedKeys.contains("max_response"), !refusedKeys.contains("expect") {
                        let line = own.first { $0.key == "max_response" }?.keyNode ?? own.first { $0.key == "expect" }?.keyNode
                            ?? defaults.first { $0.key == "max_response" }?.keyNode ?? node
                        d.add(line, "expect: echo, but the corpus's largest message (\(stats.largest) bytes) is over max_response (\(replay.maxResponse) bytes): its echo would be refused; set max_response to at least \(stats.largest)")
                    }
                    // Likewise an echo that its response framing cannot carry (u16be holds
                    // 65535 bytes; the requests' u32be more).
                    let responses = replay.effectiveResponseFraming
                    if replay.expect == .echo, stats.largest > responses.maxPayload,
                       !refusedKeys.contains("response_framing"), !refusedKeys.contains("expect") {
                        let line = own.first { $0.key == "response_framing" }?.keyNode ?? own.first { $0.key == "expect" }?.keyNode
                            ?? defaults.first { $0.key == "response_framing" }?.keyNode ?? node
                        d.add(line, "expect: echo, but the corpus's largest message (\(stats.largest) bytes) is over what response_framing \(responses.rawValue) can carry (\(responses.maxPayload) bytes): its echo cannot be framed; use a response framing that holds it, or leave response_framing out")
                    }
                case let .failure(error):
                    d.add(corpusNode ?? node, error.description)
                }
            }
            if case .normalize = replay.exchange.strategy {
                d.add(own.first { $0.key == "strategy" }?.keyNode ?? node, "normalize pads inside vsockbench's frame header; a replay case has no header: use none, window, coalesce, writev or writer_thread")
            }
        }
        // A raw tx or rx stream has no echo to check: a verify given to it would do nothing
        // (it was accepted, and the row said "bytes counted, not checked").
        if case let .stream(stream) = spec.workload, stream.raw, stream.direction != .both {
            if let verify = own.first(where: { $0.key == "verify" }) {
                d.add(verify.keyNode, "verify does not apply to a raw \(stream.direction.rawValue) stream: its bytes come back from no one to check them against (a raw stream is checked with direction: both, against its echo)")
            } else {
                // One from defaults (which cover many cases) is left out of this one: its config
                // never records a check that was not made.
                spec.updateStream { $0.verify = StreamWorkload().verify }
            }
        }
        if spec.intervalNanos != nil, let problem = spec.limitProblems().first(where: { $0.hasPrefix("interval") }) {
            d.add(own.first { $0.key == "interval" }?.keyNode ?? node, problem)
        }
        if let problem = spec.stopMinimumProblem {
            d.add(own.first { $0.key == "messages" || $0.key == "bytes" }?.keyNode ?? node, problem)
        }
        if let problem = spec.exchange?.queuedCostProblem {
            d.add(own.first { $0.key == "target_cost" }?.keyNode ?? own.first { $0.key == "inflight" }?.keyNode ?? own.first { $0.key == "strategy" }?.keyNode ?? node, problem)
        }
        if let problem = spec.targetCostTotalProblem {
            d.add(own.first { $0.key == "target_cost" }?.keyNode ?? own.first { $0.key == "messages" }?.keyNode ?? node, problem)
        }
        if let problem = spec.openLoopScheduleProblem {
            d.add(own.first { $0.key == "rate" }?.keyNode ?? own.first { $0.key == "messages" }?.keyNode ?? own.first { $0.key == "duration" }?.keyNode ?? node, problem)
        }
        return d.items.count == before ? spec : nil
    }
}
