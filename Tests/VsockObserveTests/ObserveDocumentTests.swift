import Foundation
import Testing
import VsockProbe

@testable import VsockObserve

/// The JSON document: every key always there, null where nothing was counted; the diagnosis.
@Suite struct ObserveDocumentTests {
    static let topKeys: Set<String> = [
        "schema", "port", "cid", "pids", "command", "started_at", "seconds", "kernel", "exchanges", "exchanges_per_s",
        "mbps_tx", "mbps_rx", "in_flight_max", "turnaround_us", "think_us", "request_bytes", "response_bytes",
        "per_exchange", "connections", "packets", "writes", "syscalls", "lost_events", "probe", "diagnosis", "warnings",
        "exit_status", "exit_signal", "pcap_packets",
    ]
    static let perExchangeKeys: Set<String> = [
        "packets_tx", "packets_rx", "credit_updates", "syscalls", "writes", "reads", "context_switches", "exits",
        "exits_source", "notifications",
    ]
    static let connectionKeys: Set<String> = [
        "parent_cid", "parent_port", "peer_cid", "peer_port", "seconds", "exchanges", "exchanges_per_s", "mbps_tx",
        "mbps_rx", "in_flight_max", "turnaround_us", "think_us", "request_bytes", "response_bytes", "per_exchange",
        "packets", "unanswered_requests", "overlapped_exchanges", "request_data_packets", "response_data_packets",
    ]

    static func observation(_ script: PacketScript, pids: [Int32] = [], seconds: Double = 1) -> Observation {
        var record = ObservationBuilder.ConnectionRecord(tracker: ConnectionTracker(connection: PacketScript.connection))
        for packet in script.packets {
            if let exchange = record.tracker.add(packet) { record.statistics.record(exchange) }
        }
        if let last = record.tracker.finish() { record.statistics.record(last) }
        return Observation(
            options: ObserveOptions(port: 5005, pids: pids, durationSeconds: seconds), connections: [PacketScript.connection: record],
            writeSizes: SizeDistribution(), writesBySyscall: [:], counters: nil, seconds: seconds, lostPackets: 0, lostWrites: 0,
            contextSwitches: nil, pids: pids, exitStatus: nil, warnings: [], sources: [], kernel: "test", startedAt: "now",
            pcapPackets: nil)
    }

    static func json(_ document: ObserveDocument) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(document)) as? [String: Any])
    }

    @Test("the banner names a command and every --pid beside it (it named the command alone)")
    func bannerNamesCommandAndPids() throws {
        var script = PacketScript()
        script.exchange(request: 100, response: 100, work: 1000, think: 1000)
        var withCommand = Self.observation(script, pids: [41, 7, 9])
        withCommand.options.command = ["./agent", "--fast"]
        #expect(ObserveText.render(ObserveDocument(withCommand)).hasPrefix("vsockbench observe: port 5005, 1.00 s, 1 connection, `./agent --fast`, pid 7, 9\n"),
                "\(ObserveText.render(ObserveDocument(withCommand)).prefix(120))")
        // The command's exit status, as probe's banner says it (it was in the JSON only).
        withCommand.exitStatus = 3
        #expect(ObserveText.render(ObserveDocument(withCommand)).hasPrefix("vsockbench observe: port 5005, 1.00 s, 1 connection, `./agent --fast` (exit status 3), pid 7, 9\n"))
        #expect(try Self.json(ObserveDocument(withCommand))["exit_signal"] is NSNull)
        // Ended by a signal: said as such, in the text and in the JSON (it read "exit status 143").
        withCommand.exitStatus = 143
        withCommand.exitSignal = SIGTERM
        #expect(ObserveText.render(ObserveDocument(withCommand)).hasPrefix("vsockbench observe: port 5005, 1.00 s, 1 connection, `./agent --fast` (ended by SIGTERM, status 143), pid 7, 9\n"))
        let json = try Self.json(ObserveDocument(withCommand))
        #expect(json["exit_status"] as? Int == 143 && json["exit_signal"] as? String == "SIGTERM", "\(json)")
        let pidsOnly = ObserveText.render(ObserveDocument(Self.observation(script, pids: [7, 9])))
        #expect(pidsOnly.hasPrefix("vsockbench observe: port 5005, 1.00 s, 1 connection, pid 7, 9\n"), "\(pidsOnly.prefix(120))")
    }

    @Test("every key of vsockbench-observe/1 is present; process figures are null without --pid")
    func everyKeyPresent() throws {
        var script = PacketScript()
        for _ in 0..<10 { script.exchange(request: 8224, response: 8224, work: 1_000_000, think: 100_000) }
        let object = try Self.json(ObserveDocument(Self.observation(script)))
        #expect(Set(object.keys) == Self.topKeys)
        #expect(object["schema"] as? String == "vsockbench-observe/1")
        let per = try #require(object["per_exchange"] as? [String: Any])
        #expect(Set(per.keys) == Self.perExchangeKeys)
        #expect(per["syscalls"] is NSNull && per["writes"] is NSNull && per["context_switches"] is NSNull)
        #expect(per["packets_tx"] as? Double == 2)
        let connection = try #require((object["connections"] as? [[String: Any]])?.first)
        #expect(Set(connection.keys) == Self.connectionKeys)
        for key in ["turnaround_us", "think_us", "request_bytes", "response_bytes"] {
            let distribution = try #require(object[key] as? [String: Any], "\(key)")
            #expect(Set(distribution.keys) == ["p50", "p90", "p99", "max", "mean"])
        }
        #expect((object["request_bytes"] as? [String: Any])?["p50"] as? Double == 8224)
        let turnaround = try #require((object["turnaround_us"] as? [String: Any])?["p50"] as? Double)
        #expect(abs(turnaround - 1000) <= 1, "HdrHistogram, three significant digits: \(turnaround)")
        #expect(object["syscalls"] is NSNull)
        #expect((object["writes"] as? [String: Any])?["count"] is NSNull)
    }

    @Test("following a process whose system call counter did not attach: its writes and system calls are null, not 0")
    func processCountsNullWhenNotAttached() throws {
        var script = PacketScript()
        for _ in 0..<10 { script.exchange(request: 8224, response: 8224, work: 1_000_000, think: 100_000) }
        func document(attached: Bool) throws -> [String: Any] {
            var observation = Self.observation(script, pids: [42])
            // 25 write calls, 10 of them to the vsock socket (the rest its log lines).
            if attached { for _ in 0..<10 { observation.writeSizes.record(100) } }
            observation.otherWrites = attached ? 15 : 0
            observation.counters = ProbeCounters(
                syscalls: attached ? ["write": 25, "read": 20] : [:],
                sources: [ProbeSource(program: "count_syscall", tracepoint: "raw_syscalls/sys_enter", counts: "syscalls", attached: attached)])
            return try Self.json(ObserveDocument(observation))
        }
        let missing = try document(attached: false)
        let writes = try #require(missing["writes"] as? [String: Any])
        #expect(writes["count"] is NSNull, "\(writes)")
        #expect(writes["other"] is NSNull, "\(writes)")
        #expect(writes["by_syscall"] is NSNull, "\(writes)")
        #expect(missing["syscalls"] is NSNull, "\(String(describing: missing["syscalls"]))")
        #expect((missing["per_exchange"] as? [String: Any])?["writes"] is NSNull)
        // Attached: counted, zeros included.
        let counted = try document(attached: true)
        #expect((counted["writes"] as? [String: Any])?["count"] as? Int == 10)
        #expect((counted["writes"] as? [String: Any])?["other"] as? Int == 15)
        #expect((counted["syscalls"] as? [String: Any])?["write"] as? Int == 25)
        // Per exchange: the writes to the vsock socket, not every write call (2.5).
        #expect((counted["per_exchange"] as? [String: Any])?["writes"] as? Double == 1)
    }

    /// On vsock loopback (CID 1) there is no VM boundary: the packets sent are no exits. Observe
    /// said "exits 4.06 (virtio_notifications)" there, where `run --probe` over the same
    /// traffic said none (review); both now take the same rule.
    @Test func loopbackHasNoExits() throws {
        var script = PacketScript()
        for _ in 0..<10 { script.exchange(request: 8224, response: 8224, work: 1_000_000, think: 100_000) }
        func perExchange(loopback: Bool) throws -> [String: Any] {
            var observation = Self.observation(script)
            if loopback, let record = observation.connections.values.first {
                observation.connections = [VsockConnection(parentCID: 1, parentPort: 49152, peerCID: 1, peerPort: 5005): record]
            }
            let packets = ["RW": VsockPacketCount(packets: 20, bytes: 164_480)]
            observation.counters = ProbeCounters(
                vsock: VsockCounters(tx: packets, rx: packets),
                sources: [ProbeSource(program: "count_vsock_tx", tracepoint: "vsock/virtio_transport_alloc_pkt", counts: "vsock_packets", attached: true)])
            return try #require(try Self.json(ObserveDocument(observation))["per_exchange"] as? [String: Any])
        }
        let loopback = try perExchange(loopback: true)
        #expect(loopback["exits"] is NSNull, "\(loopback)")
        #expect(loopback["exits_source"] is NSNull, "\(loopback)")
        // Across a VM boundary the packets sent stand in for the guest's notifications.
        let guest = try perExchange(loopback: false)
        #expect(guest["exits"] as? Double == 2, "\(guest)")
        #expect(guest["exits_source"] as? String == "virtio_notifications", "\(guest)")
    }

    @Test("nothing observed: no exchange, distributions null, the diagnosis says what to check")
    func empty() throws {
        let document = ObserveDocument(Self.observation(PacketScript()))
        let object = try Self.json(document)
        #expect(object["exchanges"] as? Int == 0)
        #expect(object["in_flight_max"] is NSNull)
        #expect((object["turnaround_us"] as? [String: Any])?["p50"] is NSNull)
        #expect(document.diagnosis.map(\.code) == ["no_traffic"])
    }

    @Test("diagnosis: stop-and-wait with the time in the enclave, split by --channel-rtt")
    func stopAndWaitInTheEnclave() {
        var script = PacketScript()
        for _ in 0..<100 { script.exchange(request: 8224, response: 8224, work: 2_900_000, think: 50_000) }
        let document = ObserveDocument(Self.observation(script, seconds: 0.3), channelRoundTripMicroseconds: 80)
        let codes = document.diagnosis.map(\.code)
        #expect(codes.contains("stop_and_wait"))
        #expect(codes.contains("time_in_peer"))
        let text = document.diagnosis.first { $0.code == "time_in_peer" }?.text ?? ""
        #expect(text.contains("turnaround mean 2.90 ms") && text.contains("80.00 us"), "\(text)")
    }

    @Test("diagnosis: the parent's think time, small writes, pipelining")
    func otherCauses() {
        var thinking = PacketScript()
        for _ in 0..<50 { thinking.exchange(request: 8192, response: 100, work: 100_000, think: 2_500_000, requestPieces: 17) }
        let codes = ObserveDocument(Self.observation(thinking, seconds: 0.14)).diagnosis.map(\.code)
        #expect(codes.contains("time_in_parent"))
        #expect(codes.contains("small_writes_parent"))

        var pipelined = PacketScript()
        pipelined.handshake()
        for _ in 0..<4 { pipelined.parentSends(1000) }
        for _ in 0..<20 {
            pipelined.peerReads(1000)
            pipelined.peerSends(1000)
            pipelined.wait(1000)
            pipelined.parentSends(1000)
        }
        #expect(ObserveDocument(Self.observation(pipelined)).diagnosis.map(\.code).contains("pipelined"))
    }

    @Test("diagnosis: a connection idle after its exchanges until it closed (a pool's idle timeout) is not 'time in transfer'")
    func idleTailIsNotTransferTime() throws {
        var script = PacketScript()
        script.handshake()
        // A 4 ms cycle: 1 ms in the enclave and the channel, 3 ms in the parent.
        for _ in 0..<100 { script.exchange(request: 8224, response: 8224, work: 1_000_000, think: 3_000_000) }
        // Then the connection sits idle for 10 s and is closed.
        script.wait(10_000_000_000)
        script.packets.append(ObservedPacket(timestampNanos: script.now, direction: .fromParent, connection: PacketScript.connection, op: 4, length: 0))
        script.packets.append(ObservedPacket(timestampNanos: script.now + 1000, direction: .toParent, connection: PacketScript.connection, op: 3, length: 0))
        let document = ObserveDocument(Self.observation(script, seconds: 10.5))
        let codes = document.diagnosis.map(\.code)
        #expect(codes.contains("time_in_parent"), "\(document.diagnosis)")
        #expect(!codes.contains("time_in_transfer"), "\(document.diagnosis)")
        let text = try #require(document.diagnosis.first { $0.code == "time_in_parent" }?.text)
        // The cycle of the exchanges (4 ms), not of the connection's life (10.4 s / 100).
        let cycle = try #require(text.firstMatch(of: /of a ([0-9.]+) ms exchange/).flatMap { Double($0.1) }, "\(text)")
        #expect(abs(cycle - 4) < 0.1, "\(text)")
    }

    @Test("diagnosis: bursts of exchanges with the parent idle in between: the time is in the parent, not in transfer")
    func burstsAreTimeInTheParent() throws {
        var script = PacketScript()
        script.handshake()
        // 10 bursts of 10 exchanges (1 ms in the enclave, 1 ms in the parent), 1 s apart: the
        // parent's own time between bursts is think time too, most of the whole.
        for burst in 0..<10 {
            for index in 0..<10 {
                let think: UInt64 = index == 9 && burst < 9 ? 1_000_000_000 : 1_000_000
                script.exchange(request: 8224, response: 8224, work: 1_000_000, think: think)
            }
        }
        let document = ObserveDocument(Self.observation(script, seconds: 9.3))
        let codes = document.diagnosis.map(\.code)
        #expect(codes.contains("time_in_parent"), "\(document.diagnosis)")
        #expect(!codes.contains("time_in_transfer"), "\(document.diagnosis)")
    }

    @Test("a one-way stream is said as such")
    func oneWay() {
        var script = PacketScript()
        for _ in 0..<10 {
            script.parentSends(65536)
            script.peerReadsAll()
        }
        #expect(ObserveDocument(Self.observation(script)).diagnosis.map(\.code) == ["one_way"])
    }

    @Test("no exchange but no one-way stream either: only control packets, or data both ways with no answered request")
    func noExchangeIsNotAlwaysAStream() {
        // A connection opened and closed (or idle, its credit updates only): no data at all.
        var control = PacketScript()
        control.handshake()
        control.peerReadsAll()
        control.parentCreditUpdate()
        let controlCodes = ObserveDocument(Self.observation(control)).diagnosis.map(\.code)
        #expect(!controlCodes.contains("one_way"), "\(controlCodes)")
        #expect(controlCodes == ["no_data"], "\(controlCodes)")

        // The peer's greeting, then a request still unanswered when observation stopped: data both ways.
        var greeting = PacketScript()
        greeting.handshake()
        greeting.peerSends(64)
        greeting.wait(1000)
        greeting.parentSends(100)
        let greetingDocument = ObserveDocument(Self.observation(greeting))
        let greetingCodes = greetingDocument.diagnosis.map(\.code)
        #expect(greetingCodes == ["no_exchange"], "\(greetingCodes)")
        #expect(!greetingDocument.diagnosis.contains { $0.text.contains("one way") }, "\(greetingDocument.diagnosis)")
    }

    @Test("sizes are exact, not HdrHistogram buckets")
    func exactSizes() {
        var sizes = SizeDistribution()
        for size in [8224, 8224, 8225, 100_003] as [UInt64] { sizes.record(size) }
        #expect(sizes.distribution.p50 == 8224 && sizes.distribution.p90 == 100_003 && sizes.distribution.max == 100_003)
    }
}
