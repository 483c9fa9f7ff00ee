import VsockBenchSupport

/// The diagnosis of an observation, in words, from its figures: whether the exchange is
/// stop-and-wait, where an exchange's time goes (the peer and the channel, the parent, the
/// bytes themselves), small writes, flow control, and what could not be seen.
enum ObserveDiagnosis {
    /// The share of an exchange's cycle above which one part is named as where the time goes.
    static let dominantShare = 0.5
    /// Data packets per turn from which a turn counts as written in small pieces.
    static let smallPiecesPackets = 4.0

    static func findings(for document: ObserveDocument, channelRoundTripMicroseconds: Double?) -> [ObserveDocument.Finding] {
        var findings: [ObserveDocument.Finding] = []
        func say(_ code: String, _ text: String) { findings.append(.init(code: code, text: text)) }
        let figures = document.figures
        let tx = document.packets.tx.values.reduce(0) { $0 + $1.packets }
        let rx = document.packets.rx.values.reduce(0) { $0 + $1.packets }
        if document.lostPackets + document.lostWrites > 0 {
            say(
                "events_lost",
                "\(document.lostPackets) packets and \(document.lostWrites) writes were not seen (the ring buffer was full): the counts below are low")
        }
        guard tx + rx > 0 else {
            say(
                "no_traffic",
                "no vsock packet from or to port \(document.port) in \(Format.fixed(document.seconds, 1)) s: check --port (the enclave's service port) and that the traffic crosses this machine")
            return findings
        }
        guard figures.exchanges > 0 else {
            let fromParent = document.packets.tx["RW"]?.bytes ?? 0
            let toParent = document.packets.rx["RW"]?.bytes ?? 0
            if fromParent == 0 && toParent == 0 {
                say(
                    "no_data",
                    "no data on port \(document.port) in \(Format.fixed(document.seconds, 1)) s, only \(tx + rx) control packets (connections opened, closed or idle: handshakes, shutdowns, credit updates)")
                return findings
            }
            if fromParent > 0 && toParent > 0 {
                say(
                    "no_exchange",
                    "no complete exchange: \(Quantities.formatSize(Int(fromParent))) from the parent and \(Quantities.formatSize(Int(toParent))) to it, but no request of the parent was answered while observed (data from the peer before any request, or an answer still to come when observation stopped)")
                return findings
            }
            let (way, bytes, mbps) = fromParent >= toParent
                ? ("from the parent", fromParent, figures.mbpsTx) : ("to the parent", toParent, figures.mbpsRx)
            say(
                "one_way",
                "no exchange: data went one way only, \(Quantities.formatSize(Int(bytes))) \(way) at \(Format.compact(mbps)) Mbps (a stream; the other side sent only control packets)")
            return findings
        }
        inFlight(document, say)
        timeSplit(document, channelRoundTripMicroseconds: channelRoundTripMicroseconds, say)
        pieces(document, say)
        flowControl(document, say)
        return findings
    }

    private static func inFlight(_ document: ObserveDocument, _ say: (String, String) -> Void) {
        let figures = document.figures
        let depth = figures.inFlightMax ?? 1
        let overlapped = document.connections.reduce(0) { $0 + $1.overlappedExchanges }
        if depth <= 1 {
            say(
                "stop_and_wait",
                "stop-and-wait: 1 request in flight; the peer had read every byte the parent sent before each answer, so every exchange waits a full turnaround")
        } else {
            say(
                "pipelined",
                "pipelined: up to \(depth) requests in flight (\(overlapped) of \(figures.exchanges) exchanges answered while later requests were already sent)")
        }
    }

    /// Where a stop-and-wait exchange's time goes, on the busiest connection: turnaround (peer
    /// and channel), think time (the parent), or the transfer of the bytes themselves. The cycle
    /// is the exchanges' own: from the first request to the last answer, not the connection's
    /// life (idle before its first request or after its last answer, until it closed, would
    /// count as moving bytes). The parts are means, as the cycle is: shares of the time add up
    /// only for means (p50s would leave out the parent's idle time between bursts, and the
    /// remainder would be named as moving bytes).
    private static func timeSplit(
        _ document: ObserveDocument, channelRoundTripMicroseconds: Double?, _ say: (String, String) -> Void
    ) {
        guard let busiest = document.connections.max(by: { $0.figures.exchanges < $1.figures.exchanges }),
            let rate = busiest.exchangingSeconds.flatMap({ $0 > 0 ? Double(busiest.figures.exchanges) / $0 : nil })
                ?? busiest.figures.exchangesPerSecond,
            rate > 0,
            let turnaround = busiest.figures.turnaroundMicroseconds.mean
        else { return }
        let cycle = 1e6 / rate
        let think = busiest.figures.thinkMicroseconds.mean ?? 0
        let transfer = max(0, cycle - turnaround - think)
        let exchange = "a \(duration(cycle)) exchange (\(Format.compact(rate)) exchanges/s on \(busiest.connection.description) while it exchanged)"
        if turnaround / cycle >= dominantShare {
            var text = "turnaround mean \(duration(turnaround)) of \(exchange): the time is spent in the enclave and on the channel, not in the parent"
            if let channel = channelRoundTripMicroseconds {
                let peer = max(0, turnaround - channel)
                text += "; the channel's own round trip is \(duration(channel)), so about \(duration(peer)) is the enclave's work"
            } else {
                text += " (give --channel-rtt, the round trip `vsockbench run` measures on this channel, to split the two)"
            }
            say("time_in_peer", text)
        } else if think / cycle >= dominantShare {
            say(
                "time_in_parent",
                "the parent waits \(duration(think)) between exchanges (think time mean) of \(exchange): the time is in the parent, before it sends the next request")
        } else if transfer / cycle >= dominantShare {
            say(
                "time_in_transfer",
                "sending the request and the answer takes most of \(exchange) (turnaround mean \(duration(turnaround)), think mean \(duration(think))): the bytes themselves are the cost")
        } else {
            say(
                "time_shared",
                "\(exchange) splits into turnaround mean \(duration(turnaround)) (enclave and channel), think time mean \(duration(think)) (parent) and the rest moving bytes")
        }
    }

    /// Turns written in many packets: each data packet is a write (below 64 KiB) and a
    /// notification of the peer.
    private static func pieces(_ document: ObserveDocument, _ say: (String, String) -> Void) {
        let figures = document.figures
        let exchanges = Double(figures.exchanges)
        let requestPackets = Double(document.connections.reduce(0) { $0 + $1.requestDataPackets }) / exchanges
        let responsePackets = Double(document.connections.reduce(0) { $0 + $1.responseDataPackets }) / exchanges
        if requestPackets >= smallPiecesPackets, let size = figures.requestBytes.mean,
            size / requestPackets < 4096
        {
            say(
                "small_writes_parent",
                "\(Format.compact(requestPackets)) data packets per \(Quantities.formatSize(Int(size))) request: the parent writes in small pieces (each piece is a packet and a notification of the enclave)")
        }
        if responsePackets >= smallPiecesPackets, let size = figures.responseBytes.mean,
            size / responsePackets < 4096
        {
            say(
                "small_writes_enclave",
                "\(Format.compact(responsePackets)) data packets per \(Quantities.formatSize(Int(size))) answer: the enclave writes in small pieces")
        }
        if let writes = figures.perExchange.writes, writes >= 3 {
            let sizes = document.writes.bytes.p50.map { ", write size p50 \(Quantities.formatSize(Int($0)))" } ?? ""
            say("many_writes", "\(Format.compact(writes)) write calls per exchange from the parent\(sizes)")
        }
    }

    private static func flowControl(_ document: ObserveDocument, _ say: (String, String) -> Void) {
        let requests = (document.packets.tx["CREDIT_REQUEST"]?.packets ?? 0) + (document.packets.rx["CREDIT_REQUEST"]?.packets ?? 0)
        if requests > 0 {
            say(
                "credit_exhausted",
                "\(requests) CREDIT_REQUEST packets: a sender ran out of its peer's buffer credit and had to ask (flow control held it back; a larger SO_VM_SOCKETS_BUFFER_SIZE helps)")
        }
        if let updates = document.figures.perExchange.creditUpdates, updates >= 2 {
            say(
                "credit_updates",
                "\(Format.compact(updates)) credit updates per exchange: one per read that empties the receive queue on either side (kernels before 5.4 send one on every read)")
        }
    }

    /// Microseconds as `80 us`, `2.9 ms`, `1.20 s`.
    static func duration(_ microseconds: Double) -> String {
        if microseconds >= 1_000_000 { return "\(Format.fixed(microseconds / 1_000_000, 2)) s" }
        if microseconds >= 1000 { return "\(Format.compact(microseconds / 1000)) ms" }
        return "\(Format.compact(microseconds)) us"
    }
}
