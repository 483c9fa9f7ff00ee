/// Suggestions for a mistyped word (a scenario key, a command): the closest known one.
package enum Spelling {
    /// Levenshtein distance: insertions, deletions and substitutions, one each.
    package static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }

    /// The candidate within `within` edits of `word` (the nearest; alphabetically first among
    /// equals), or nil.
    package static func closest(to word: String, among candidates: some Sequence<String>, within: Int = 2) -> String? {
        candidates.map { (distance($0, word), $0) }.filter { $0.0 <= within }.min { $0 < $1 }?.1
    }
}
