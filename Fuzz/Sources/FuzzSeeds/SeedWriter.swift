#if canImport(Glibc)
import Glibc
#endif

/// Writes `seed-<name>` files into `<root>/<harness>/`, creating the directories.
final class SeedWriter {
    let root: String
    private var counts: [String: Int] = [:]

    init(root: String) {
        self.root = root
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    func write(_ harness: String, _ name: String, _ bytes: [UInt8]) throws {
        let directory = "\(root)/\(harness)"
        for path in [root, directory] where mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw Failure(description: "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        let path = "\(directory)/seed-\(name)"
        guard let file = fopen(path, "wb") else {
            throw Failure(description: "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        let closed = fclose(file)
        guard written == bytes.count, closed == 0 else { throw Failure(description: "cannot write \(path)") }
        counts[harness, default: 0] += 1
    }

    var summary: String {
        counts.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value) seeds" }.joined(separator: "\n")
    }

    /// The files of `directory` whose names end with `suffix`, sorted.
    static func files(in directory: String, suffix: String) throws -> [String] {
        guard let handle = opendir(directory) else {
            throw Failure(description: "cannot read \(directory): \(String(cString: strerror(errno)))")
        }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name.hasSuffix(suffix) { names.append(name) }
        }
        return names.sorted()
    }

    static func read(_ path: String) throws -> [UInt8] {
        guard let file = fopen(path, "rb") else { throw Failure(description: "cannot open \(path)") }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&chunk, 1, chunk.count, file)
            bytes.append(contentsOf: chunk[0..<n])
            if n < chunk.count { break }
        }
        return bytes
    }
}

extension Array where Element == UInt8 {
    mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
    }
}
