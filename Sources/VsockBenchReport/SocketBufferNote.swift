import VsockBenchModel
import VsockBenchSupport
import VsockTransport

/// What the kernel made of a case's socket buffer sizes, when it is not what was asked.
/// Linux doubles an `SO_SNDBUF`/`SO_RCVBUF` request (half is its own bookkeeping), raises it
/// to a minimum (4608 bytes to send, 2304 to receive on x86-64 here) and caps it at twice
/// `net.core.wmem_max`/`rmem_max`; vsock clamps its buffer size into the socket's
/// min...max. The JSON always had the sizes set (`socket.driver`, `socket.target`); the text
/// said nothing, so `sndbuf: 1KiB` read as a 1 KiB buffer that did not slow an 8 KiB message.
/// A plain doubling is said nowhere: it happens to every request.
enum SocketBufferNote {
    /// The run's line for a case whose buffers the kernel set otherwise; nil when each is the
    /// plain double of the request (or the case asked for none, or no socket was reached).
    static func line(_ c: CaseResult) -> String? {
        let asked = c.spec.socket
        var parts: [String] = []
        func sides(_ value: (EffectiveSocketOptions) -> Int?) -> [(String, Int)] {
            [("driver", c.socket.driver), ("target", c.socket.target)].compactMap { side, options in
                options.flatMap(value).map { (side, $0) }
            }
        }
        func say(_ knob: String, asked: Int?, expected: (Int) -> Int, why: (_ asked: Int, _ set: Int) -> String,
                 _ value: (EffectiveSocketOptions) -> Int?) {
            guard let asked else { return }
            let set = sides(value).filter { $0.1 != expected(asked) }
            guard !set.isEmpty else { return }
            let all = sides(value)
            if set.count == all.count, Set(set.map(\.1)).count == 1 {
                let where_ = all.count > 1 ? "on both sides" : "on the \(set[0].0)"
                parts.append("\(knob) \(Self.bytes(asked)) asked, the kernel set \(Self.bytes(set[0].1)) \(where_) (\(why(asked, set[0].1)))")
            } else {
                // Each side with its own reason: they can differ (one raised, one capped).
                let each = set.map { "\(Self.bytes($0.1)) on the \($0.0) (\(why(asked, $0.1)))" }.joined(separator: ", ")
                parts.append("\(knob) \(Self.bytes(asked)) asked, the kernel set \(each)")
            }
        }
        let doubled: (Int) -> Int = { min($0, Int(Int32.max) / 2) * 2 }
        // The minimum is the kernel's (sized by its own buffer bookkeeping, which differs by
        // architecture and build): the size set says it, no constant here.
        func sockWhy(limit: String) -> (Int, Int) -> String {
            { asked, set in
                set > doubled(asked) ? "raised to the kernel's minimum"
                    : "it doubles a request up to twice net.core.\(limit)"
            }
        }
        say("sndbuf", asked: asked.sendBuffer, expected: doubled, why: sockWhy(limit: "wmem_max")) { $0.sndbuf }
        say("rcvbuf", asked: asked.receiveBuffer, expected: doubled, why: sockWhy(limit: "rmem_max")) { $0.rcvbuf }
        say("vsock_buffer_size", asked: asked.vsockBufferSize.map { Int(clamping: $0) }, expected: { $0 },
            why: { _, _ in "clamped into the socket's vsock_buffer_min...vsock_buffer_max" }) { $0.vsockBufferSize.map { Int(clamping: $0) } }
        guard !parts.isEmpty else { return nil }
        return "\(Terminal.safe(c.name)): \(parts.joined(separator: "; "))"
    }

    /// Exact: `4.5KiB` for 4608, `2304 bytes` where a unit's one decimal would round.
    static func bytes(_ n: Int) -> String {
        let scale = [1 << 30, 1 << 20, 1 << 10].first { n >= $0 } ?? 1
        return scale == 1 || n % (scale / 2) == 0 ? Quantities.formatSize(n) : "\(n) bytes"
    }
}
