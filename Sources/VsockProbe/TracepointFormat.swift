/// One field of a tracepoint record as the kernel describes it in `events/<cat>/<name>/format`.
struct TracepointField: Equatable, Sendable {
    var name: String
    var offset: Int
    var size: Int
}

/// The record layout of a tracepoint, parsed from its tracefs `format` file:
///
///     field:unsigned int cmd;	offset:24;	size:8;	signed:0;
struct TracepointFormat: Equatable, Sendable {
    var fields: [TracepointField]

    init(fields: [TracepointField]) {
        self.fields = fields
    }

    /// Parses the text of a `format` file; lines that are not field lines are skipped.
    init(parsing text: String) {
        fields = text.split(separator: "\n").compactMap { Self.field(inLine: $0) }
    }

    func field(named name: String) -> TracepointField? {
        fields.first { $0.name == name }
    }

    private static func field(inLine line: Substring) -> TracepointField? {
        var declaration: Substring?
        var offset: Int?
        var size: Int?
        for part in line.split(separator: ";") {
            let item = part.drop { $0 == " " || $0 == "\t" }
            if let rest = item.strip(prefix: "field:") {
                declaration = rest
            } else if let rest = item.strip(prefix: "offset:") {
                offset = Int(rest)
            } else if let rest = item.strip(prefix: "size:") {
                size = Int(rest)
            }
        }
        guard let declaration, let offset, let size, let name = fieldName(in: declaration) else { return nil }
        return TracepointField(name: name, offset: offset, size: size)
    }

    /// The last word of a C declaration without its array suffix: `char comm[16]` -> `comm`.
    private static func fieldName(in declaration: Substring) -> String? {
        guard let last = declaration.split(whereSeparator: { $0 == " " || $0 == "\t" }).last else { return nil }
        let name = last.prefix { $0 != "[" }
        return name.isEmpty ? nil : String(name)
    }
}

extension Substring {
    fileprivate func strip(prefix: String) -> Substring? {
        hasPrefix(prefix) ? dropFirst(prefix.count) : nil
    }
}
