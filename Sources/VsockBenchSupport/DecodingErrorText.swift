import FoundationEssentials

/// A JSON decoding failure in a few words, by position, never by value: what a peer or a file
/// put in a field stays out of logs and error frames (Foundation's own descriptions quote
/// values and Swift type names).
public enum DecodingErrorText {
    public static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "not readable" }
        switch error {
        case let .keyNotFound(key, context):
            return "the key \(at(context.codingPath + [key])) is missing"
        case let .typeMismatch(_, context):
            return "the value at \(at(context.codingPath)) has the wrong type"
        case let .valueNotFound(_, context):
            return "the value at \(at(context.codingPath)) is null"
        case let .dataCorrupted(context):
            return context.codingPath.isEmpty ? "not valid JSON" : "the value at \(at(context.codingPath)) is not valid"
        @unknown default:
            return "not readable"
        }
    }

    /// `cases[2].latency_us`: array positions as indices; keys cut to 40 characters and made
    /// safe for a terminal (a dictionary's keys come from the input).
    static func at(_ path: [any CodingKey]) -> String {
        guard !path.isEmpty else { return "the top level" }
        var text = ""
        for key in path {
            if let index = key.intValue, key.stringValue.hasPrefix("Index ") {
                text += "[\(index)]"
            } else {
                let name = Terminal.safe(String(key.stringValue.prefix(40)))
                text += text.isEmpty ? name : "." + name
            }
        }
        return "'\(text)'"
    }
}
