import Yams

/// YAML merge keys in the mappings a scenario file is read from: the top level, `defaults`,
/// each case, a strategy's parameters.
///
///     x-common: &common {workload: rr, request_size: 8KiB, response_size: 8KiB}
///     cases:
///       - {<<: *common, name: one, inflight: 1}
///       - {<<: [*common, *deep], name: eight, inflight: 8}
///
/// A merge brings in the pairs of a mapping (or of each mapping of a list, the earlier
/// winning); the mapping's own keys win over merged ones, as YAML 1.1 says. A merged value
/// keeps its place in the file, so its errors name the line it is written at. Only the
/// mappings the loader reads are resolved, never the whole document (aliases may repeat a
/// node many times over), and a merge may bring in at most `maximumPairs` pairs and sources
/// in all.
enum MergeKeys {
    static let maximumDepth = 8
    static let maximumPairs = 10_000
    static let maximumPerFile = 1_000_000

    /// A plain `<<` key (a quoted one is a key named "<<").
    static func isMerge(_ key: Node) -> Bool {
        key.tag.rawValue == Tag.Name.merge.rawValue
    }

    /// `node`'s mapping with its merge keys resolved; nil when `node` is not a mapping.
    static func mapping(_ node: Node, _ d: inout Diagnostics) -> Node.Mapping? {
        guard let mapping = node.mapping else { return nil }
        guard mapping.contains(where: { isMerge($0.key) }) else { return mapping }
        // Per mapping, and out of what is left for the file: a file of many cases that each
        // merge a fanning anchor spends the file's budget, not each case a fresh one.
        let given = min(maximumPairs, d.mergeStepsLeft)
        var budget = given
        let resolved = resolve(mapping, depth: 0, budget: &budget, d: &d)
        d.mergeStepsLeft -= given - max(budget, 0)
        if budget < 0 {
            d.add(node, "merge keys bring in more than \(maximumPairs) keys and mappings here, or more than \(maximumPerFile) in the whole file")
        }
        return resolved
    }

    private static func resolve(_ mapping: Node.Mapping, depth: Int, budget: inout Int, d: inout Diagnostics) -> Node.Mapping {
        guard mapping.contains(where: { isMerge($0.key) }) else { return mapping }
        // Spent (a merge of merges of ... fanning out): reported once, nothing more resolved.
        guard budget >= 0 else { return Node.Mapping([], mapping.tag, mapping.style, mapping.mark, mapping.anchor) }
        var own: [(Node, Node)] = []
        var merged: [(Node, Node)] = []
        var mergedNames: Set<String> = []
        for (key, value) in mapping {
            guard isMerge(key) else {
                own.append((key, value))
                continue
            }
            let sources: [Node.Mapping]
            if let one = value.mapping {
                sources = [one]
            } else if let list = value.sequence, !list.isEmpty, list.allSatisfy({ $0.mapping != nil }) {
                sources = list.compactMap(\.mapping)
            } else {
                d.add(value, "'<<' merges a mapping or a list of mappings into this one (<<: *common or <<: [*a, *b])")
                continue
            }
            guard depth < maximumDepth else {
                d.add(key, "merge keys nest more than \(maximumDepth) deep here")
                continue
            }
            for source in sources where budget >= 0 {
                // Each source resolved costs one too: empty anchors merged many times over
                // bring in no pair, and took 30 s at seven levels of ten.
                budget -= 1
                for (k, v) in resolve(source, depth: depth + 1, budget: &budget, d: &d) {
                    budget -= 1
                    guard budget >= 0 else { return Node.Mapping(own, mapping.tag, mapping.style, mapping.mark, mapping.anchor) }
                    if let name = k.scalar?.string {
                        guard mergedNames.insert(name).inserted else { continue }
                    }
                    merged.append((k, v))
                }
            }
        }
        let ownNames = Set(own.compactMap { $0.0.scalar?.string })
        let kept = merged.filter { key, _ in key.scalar.map { !ownNames.contains($0.string) } ?? true }
        return Node.Mapping(kept + own, mapping.tag, mapping.style, mapping.mark, mapping.anchor)
    }
}
