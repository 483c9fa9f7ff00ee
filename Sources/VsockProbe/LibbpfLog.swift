import CLibbpf
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// libbpf's own messages, kept instead of printed: a failed load or attach quotes the last few
/// in its error, and the CLI's output stays the probe's report.
enum LibbpfLog {
    private static let recent = Mutex<[String]>([])
    private static let limit = 64

    /// Installs the capturing print callback once per process.
    static let installed: Bool = {
        _ = libbpf_set_print { level, format, arguments in
            guard level != LIBBPF_DEBUG, let format, let arguments else { return 0 }
            var buffer = [CChar](repeating: 0, count: 1024)
            _ = vsnprintf(&buffer, buffer.count, format, arguments)
            let line = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            LibbpfLog.append(line.trimmingTrailingNewlines())
            return 0
        }
        return true
    }()

    static func append(_ line: String) {
        recent.withLock { lines in
            lines.append(line)
            if lines.count > limit { lines.removeFirst(lines.count - limit) }
        }
    }

    /// The most recent messages (libbpf is process-wide, so they may include another probe's).
    static func last(_ count: Int) -> [String] {
        recent.withLock { Array($0.suffix(count)) }
    }
}

extension String {
    fileprivate func trimmingTrailingNewlines() -> String {
        var text = self
        while text.last == "\n" { text.removeLast() }
        return text
    }
}
