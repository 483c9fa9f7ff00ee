import VsockProbe

extension ObserveDocument {
    /// The document of an observation. `channelRoundTripMicroseconds`: the channel's own round
    /// trip (from `vsockbench run` on the same channel), which splits turnaround into channel and
    /// peer in the diagnosis.
    public init(_ observation: Observation, channelRoundTripMicroseconds: Double? = nil) {
        port = observation.options.port
        cid = observation.options.cid
        pids = observation.pids
        command = observation.options.command.isEmpty ? nil : observation.options.command
        startedAt = observation.startedAt
        seconds = Distribution.round(observation.seconds)
        kernel = observation.kernel
        let totals = observation.totals
        let total = observation.total
        figures = Self.figures(total, totals: totals, seconds: observation.seconds)
        figures.perExchange = Self.processPerExchange(observation, base: figures.perExchange, exchanges: total.exchanges)
        connections = observation.connections.sorted { $0.key < $1.key }.map { connection, record in
            let span = record.tracker.totals.firstNanos.flatMap { first in
                record.tracker.totals.lastNanos.map { Double($0 - first) / 1e9 }
            } ?? 0
            return ConnectionFigures(
                connection: connection, seconds: Distribution.round(span),
                exchangingSeconds: record.statistics.exchangingSeconds,
                figures: Self.figures(record.statistics, totals: record.tracker.totals, seconds: span),
                packets: Self.packetsByOp(record.tracker.totals), unansweredRequests: record.tracker.totals.unansweredRequests,
                overlappedExchanges: record.statistics.overlapped,
                requestDataPackets: record.statistics.requestDataPackets,
                responseDataPackets: record.statistics.responseDataPackets)
        }
        packets = Self.packetsByOp(totals)
        // Counted only with a process followed and its system call counter (whose program also
        // sends the writes) attached: otherwise null, not 0 writes.
        let follows = observation.options.followsProcesses && observation.counters?.isAttached("syscalls") == true
        writes = WriteFigures(
            count: follows ? observation.writeSizes.count : nil,
            other: follows ? observation.otherWrites : nil,
            bytes: follows ? observation.writeSizes.distribution : .empty,
            bySyscall: follows ? observation.writesBySyscall : nil)
        syscalls = follows ? observation.counters?.syscalls : nil
        lostPackets = observation.lostPackets
        lostWrites = observation.lostWrites
        probe = observation.counters
        warnings = observation.warnings
        exitStatus = observation.exitStatus
        exitSignal = observation.exitSignal.map(SessionStop.name(of:))
        pcapPackets = observation.pcapPackets
        diagnosis = []
        diagnosis = ObserveDiagnosis.findings(for: self, channelRoundTripMicroseconds: channelRoundTripMicroseconds)
    }

    /// Rates over `seconds`, distributions, and packets per exchange.
    static func figures(_ statistics: ExchangeStatistics, totals: ConnectionTotals, seconds: Double) -> Figures {
        let exchanges = statistics.exchanges
        func rate(_ value: Double) -> Double? { seconds > 0 ? Distribution.round(value / seconds) : nil }
        func per(_ value: Int) -> Double? { exchanges > 0 ? Distribution.round(Double(value) / Double(exchanges)) : nil }
        return Figures(
            exchanges: exchanges, exchangesPerSecond: rate(Double(exchanges)),
            mbpsTx: rate(Double(totals.payloadFromParent) * 8 / 1e6), mbpsRx: rate(Double(totals.payloadToParent) * 8 / 1e6),
            inFlightMax: exchanges > 0 ? statistics.inFlightMax : nil,
            turnaroundMicroseconds: Distribution(statistics.turnaround, divisor: 1000),
            thinkMicroseconds: Distribution(statistics.think, divisor: 1000),
            requestBytes: statistics.requestBytes.distribution, responseBytes: statistics.responseBytes.distribution,
            perExchange: PerExchange(
                packetsTx: per(statistics.packetsFromParent), packetsRx: per(statistics.packetsToParent),
                creditUpdates: per(statistics.creditUpdates)))
    }

    /// The followed processes' figures per exchange (system calls, writes, reads, context
    /// switches) and the exits, from the same sources and with the same labels as `run --probe`.
    static func processPerExchange(_ observation: Observation, base: PerExchange, exchanges: Int) -> PerExchange {
        var result = base
        guard exchanges > 0, let counters = observation.counters else { return result }
        func per(_ value: UInt64?) -> Double? { value.map { Distribution.round(Double($0) / Double(exchanges)) } }
        if observation.options.followsProcesses && counters.isAttached("syscalls") {
            result.syscalls = per(counters.totalSyscalls)
            // The writes to vsock sockets (the write events), not every write-family call
            // the process made: its log lines are not writes per exchange.
            result.writes = per(observation.writeSizes.count)
            result.reads = per(SyscallFamilies.reads.reduce(0) { $0 + (counters.syscalls[$1] ?? 0) })
        }
        result.contextSwitches = per(observation.contextSwitches.map(UInt64.init))
        let probe = counters.perMessage(exchanges, loopback: observation.isLoopback)
        result.exits = probe.exits.map(Distribution.round)
        result.exitsSource = probe.exitsSource
        result.notifications = probe.notifications.map(Distribution.round)
        return result
    }

    static func packetsByOp(_ totals: ConnectionTotals) -> PacketsByOp {
        PacketsByOp(tx: named(totals.fromParent), rx: named(totals.toParent))
    }

    /// Counts by op (index 0-7) keyed by op name, as the probe names them.
    static func named(_ counts: [ConnectionTotals.OpCount]) -> [String: VsockPacketCount] {
        var result: [String: VsockPacketCount] = [:]
        for op in VsockOp.allCases {
            let count = counts[Int(op.rawValue)]
            result[op.name] = VsockPacketCount(packets: count.packets, bytes: count.bytes)
        }
        if counts[0].packets > 0 {
            result[VsockOp.invalidName] = VsockPacketCount(packets: counts[0].packets, bytes: counts[0].bytes)
        }
        return result
    }
}

/// The system calls that write and read a socket (or anything), by name.
enum SyscallFamilies {
    static let writes = ["write", "writev", "pwrite64", "pwritev", "pwritev2", "sendto", "sendmsg", "sendmmsg"]
    static let reads = ["read", "readv", "pread64", "preadv", "preadv2", "recvfrom", "recvmsg", "recvmmsg"]
}
