/// Looks for every sensitive value of a request (column values and planted secrets) anywhere in
/// a response, in one pass over the response: time linear in its size whatever the number of
/// values, where a search per value over the whole response would grow with the square of it.
///
/// Values are indexed by their first four bytes: a bitset of a hash of those rejects almost
/// every response position at once, and the few left are compared with the values that begin
/// so (a few at most: a card's, a phone's or an id's first four bytes vary). Values under four
/// bytes (the generator makes none) are searched for one by one. The verifier keeps one scan
/// across messages, so it allocates nothing once grown.
struct LeakScan: Sendable {
    struct Needle {
        /// The value's bytes in the request.
        var range: Range<Int>
        /// Where it was generated: its row, and the column holding it.
        var row: Int
        var column: Int
        /// Its first four bytes (0 for a shorter value).
        var key: UInt32
    }

    private var needles: [Needle] = []
    /// One bit per hash of the first four bytes of some value of four bytes or more.
    private var prefixes = [UInt64](repeating: 0, count: 1 << 10)

    mutating func removeAll() {
        needles.removeAll(keepingCapacity: true)
    }

    /// Adds the value at `range` of `request` (an empty value cannot leak, and is left out).
    mutating func add(_ range: Range<Int>, of request: UnsafeRawBufferPointer, row: Int, column: Int) {
        guard !range.isEmpty else { return }
        let key = range.count >= Self.keyLength ? Self.key(request, at: range.lowerBound) : 0
        needles.append(Needle(range: range, row: row, column: column, key: key))
    }

    /// The value found first in `response` (at the lowest offset), or nil.
    mutating func first(in response: UnsafeRawBufferPointer, request: UnsafeRawBufferPointer) -> Needle? {
        guard !needles.isEmpty else { return nil }
        var best: (offset: Int, needle: Needle)? = nil
        // Short values, if any: one search each.
        for needle in needles where needle.range.count < Self.keyLength {
            let value = UnsafeRawBufferPointer(rebasing: request[needle.range])
            if let offset = ByteSearch.firstOffset(of: value, in: response), offset < (best?.offset ?? .max) {
                best = (offset, needle)
            }
        }
        needles.sort { $0.key < $1.key }
        for needle in needles where needle.range.count >= Self.keyLength {
            let bit = Self.bit(needle.key)
            prefixes[bit >> 6] |= 1 << UInt64(bit & 63)
        }
        defer {
            for needle in needles where needle.range.count >= Self.keyLength {
                prefixes[Self.bit(needle.key) >> 6] = 0
            }
        }
        let end = min(response.count - Self.keyLength + 1, best?.offset ?? .max)
        let found: Needle? = prefixes.withUnsafeBufferPointer { prefixes in
            var position = 0
            while position < end {
                let key = Self.key(response, at: position)
                let bit = Self.bit(key)
                if prefixes[bit >> 6] & (1 << UInt64(bit & 63)) != 0, let needle = match(key, at: position, response, request) {
                    return needle
                }
                position += 1
            }
            return nil
        }
        return found ?? best?.needle
    }

    /// The value with first bytes `key` found at `position` of `response`, if any.
    private func match(
        _ key: UInt32,
        at position: Int,
        _ response: UnsafeRawBufferPointer,
        _ request: UnsafeRawBufferPointer
    ) -> Needle? {
        // The first value with this key (they are sorted by key).
        var low = 0
        var high = needles.count
        while low < high {
            let middle = (low + high) / 2
            if needles[middle].key < key { low = middle + 1 } else { high = middle }
        }
        var index = low
        while index < needles.count && needles[index].key == key {
            let needle = needles[index]
            let length = needle.range.count
            if length >= Self.keyLength, length <= response.count - position,
                ByteSearch.equal(
                    UnsafeRawBufferPointer(rebasing: response[position..<(position + length)]),
                    UnsafeRawBufferPointer(rebasing: request[needle.range]))
            {
                return needle
            }
            index += 1
        }
        return nil
    }

    private static let keyLength = 4

    @inline(__always)
    private static func key(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt32 {
        bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
    }

    /// The key's bit in the bitset (65,536 bits).
    @inline(__always)
    private static func bit(_ key: UInt32) -> Int {
        Int((key &* 0x9E37_79B1) >> 16)
    }
}
