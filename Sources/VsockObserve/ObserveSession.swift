import VsockBenchSupport
import VsockProbe

#if canImport(Glibc)
import Glibc
#endif

/// What `observe` watches and for how long.
public struct ObserveOptions: Sendable {
    /// The service port: connections from or to it.
    public var port: UInt32
    /// Only connections from or to this CID (the enclave's); nil: any.
    public var cid: UInt32?
    /// Processes whose system calls, writes and context switches are counted (and their
    /// children's). Empty: packets only.
    public var pids: [Int32]
    /// A command to run and observe until it exits (it is followed like a pid).
    public var command: [String]
    /// How long to observe without a command; nil: until the processes exit or Ctrl-C.
    public var durationSeconds: Double?
    /// Also write the packets here as a LINKTYPE_VSOCK pcap.
    public var pcapPath: String?
    /// The command's standard output goes to standard error (`--json -`: the JSON owns stdout).
    public var commandOutputToStderr: Bool

    public init(
        port: UInt32, cid: UInt32? = nil, pids: [Int32] = [], command: [String] = [], durationSeconds: Double? = nil,
        pcapPath: String? = nil, commandOutputToStderr: Bool = false
    ) {
        self.commandOutputToStderr = commandOutputToStderr
        self.port = port
        self.cid = cid
        self.pids = pids
        self.command = command
        self.durationSeconds = durationSeconds
        self.pcapPath = pcapPath
    }

    /// Whether processes are followed (a command or pids).
    public var followsProcesses: Bool { !pids.isEmpty || !command.isEmpty }
}

/// What one observation gathered: the connections' exchanges, the processes' writes, the
/// probe's counts over the same span.
public struct Observation: Sendable {
    public var options: ObserveOptions
    public var connections: [VsockConnection: ObservationBuilder.ConnectionRecord]
    /// The followed processes' writes to vsock sockets (``ObservationBuilder/writes``).
    public var writeSizes: SizeDistribution
    public var writesBySyscall: [String: UInt64]
    /// The probe's counts from attach to the end (syscalls of the followed processes, vsock
    /// packets by op, notifications); nil when it could not start.
    public var counters: ProbeCounters?
    /// Wall-clock seconds observed.
    public var seconds: Double
    /// Packets and writes the BPF side could not hand over (the ring buffer was full).
    public var lostPackets: UInt64
    public var lostWrites: UInt64
    /// Voluntary context switches of the followed processes over the span; nil when not counted.
    public var contextSwitches: Int?
    /// The followed pids (the command's first).
    public var pids: [Int32]
    /// The command's exit status (128 + signal), when a command ran.
    public var exitStatus: Int32?
    /// The signal that ended the command (its status is then 128 + it); nil when it exited of
    /// itself, or no command ran.
    public var exitSignal: Int32? = nil
    /// The signal that stopped the observation early (see ``SessionStop``); nil when it ran to
    /// its end. A warning says so too.
    public var stopSignal: Int32? = nil
    public var warnings: [String]
    /// The packet programs and the probe's, attached or not.
    public var sources: [ProbeSource]
    public var kernel: String
    public var startedAt: String
    public var pcapPackets: Int?
    /// The followed processes' writes to anything but a vsock socket: left out of the writes.
    public var otherWrites: UInt64 = 0

    public var total: ExchangeStatistics {
        connections.values.reduce(into: ExchangeStatistics()) { $0.add($1.statistics) }
    }

    public var totals: ConnectionTotals {
        connections.values.reduce(into: ConnectionTotals()) { $0.add($1.tracker.totals) }
    }

    /// Both ends in this kernel (the lab's CID 1): the probe then sees each packet twice.
    public var isLoopback: Bool { connections.keys.contains { $0.parentCID == $0.peerCID } }
}

/// Runs an observation: the tap on the port, the probe on the followed processes, the ring
/// buffer drained on this thread until the duration, the processes' or the command's exit, or a
/// signal taken by the caller's ``SessionStop``.
public enum ObserveSession {
    /// Drains the ring buffer every this many milliseconds (plus the time taking the events
    /// takes): the BPF side never wakes the reader, and the 8 MiB buffer holds about 116,000
    /// events, 20 ms of 5.8 million a second.
    static let pollMilliseconds: Int32 = 20

    /// `stop` takes the signals of the caller's signal thread (SIGTERM, SIGHUP; SIGINT too when no
    /// command is followed). Without a command the observation then ends at once; a command is
    /// sent the signal and has ``SessionStop/graceSeconds`` to exit before it gets SIGKILL, and the
    /// observation ends when it has. Either way what was observed is returned, with a warning
    /// saying so. However this ends (an error included), the command is not left running.
    public static func run(_ options: ObserveOptions, stop: SessionStop = SessionStop()) throws -> Observation {
        // A pid that names no process would end the observation at its first poll, empty; a
        // thread's id would be followed as a process and count nothing.
        try FollowedProcess.check(options.pids)
        let tap = try VsockTap(configuration: VsockTap.Configuration(port: options.port, cid: options.cid))
        defer { tap.close() }
        var child: HeldProcess?
        var pids = options.pids
        if let executable = options.command.first {
            let held = try HeldProcess(executable: executable, arguments: Array(options.command.dropFirst()), stdoutToStderr: options.commandOutputToStderr)
            held.waitUntilHeld()
            child = held
            pids = [held.pid] + pids
            stop.follow(held)
        }
        // Every way out below ends the command (signal, bounded wait, SIGKILL) and reaps it: a
        // failing poll must not leave it running. After a normal end it is reaped and this does
        // nothing.
        defer { child?.end() }
        let configuration = ProbeConfiguration(
            pids: pids, followChildren: true, vsockPort: options.port, vsockCID: options.cid,
            countsProcesses: options.followsProcesses, capturesWrites: options.followsProcesses,
            countsVsockPackets: false)
        let probe = try Probe(configuration: configuration, tap: tap)
        defer { probe.close() }
        let pcap = try options.pcapPath.map { try PcapWriter(path: $0, realtimeOffsetNanos: Self.realtimeOffsetNanos()) }
        var builder = ObservationBuilder(pcap: pcap)
        let switchesBefore = child == nil ? ContextSwitches.voluntary(of: pids) : nil
        let before = try probe.read()
        let startedAt = iso8601Now()
        // With a command, Ctrl-C (SIGINT to the whole foreground group) is the command's: it
        // ends, and the observation is still reported, as a shell waiting for a command does
        // (and `probe -- COMMAND`). The command was forked before: its own dispositions stand.
        let previousInterrupt = child == nil ? nil : signal(SIGINT, SIG_IGN)
        let previousQuit = child == nil ? nil : signal(SIGQUIT, SIG_IGN)
        defer {
            if child != nil {
                signal(SIGINT, previousInterrupt)
                signal(SIGQUIT, previousQuit)
            }
        }
        let start = MonotonicClock.nanos()
        builder.startNanos = start
        try child?.release()
        var exitStatus: Int32?
        var killed = false
        var pidsExited = false
        var lag = ReaderLag(since: start)
        while true {
            let events = try tap.poll(timeoutMilliseconds: pollMilliseconds)
            lag.note(events)
            try builder.take(events)
            let elapsed = Double(MonotonicClock.nanos() - start) / 1e9
            if let child {
                if let status = child.exitStatusIfExited() {
                    exitStatus = status
                    break
                }
                // A stopping signal was passed on to the command (by `stop`): it is observed
                // until it exits, and killed if it outlasts the grace time.
                if !killed, let since = stop.secondsSinceSignal, since >= SessionStop.graceSeconds {
                    killed = child.killTree()
                }
            } else {
                if stop.signal != nil { break }
                if let duration = options.durationSeconds, elapsed >= duration { break }
                if !pids.isEmpty && !pids.contains(where: { kill($0, 0) == 0 || errno == EPERM }) {
                    pidsExited = true
                    break
                }
            }
        }
        let end = MonotonicClock.nanos()
        let seconds = Double(end - start) / 1e9
        // What was under way when it stopped: the buffer is drained up to the end, and what came
        // after it is left out. Events leave the buffer in about time order, so a poll that
        // brings nothing from before the end means none is left (waiting for a quiet buffer
        // instead never ended while the followed process kept writing).
        while true {
            let events = try tap.poll(timeoutMilliseconds: 5)
            lag.note(events)
            let inTime = events.filter { $0.timestampNanos <= end }
            try builder.take(inTime)
            if inTime.isEmpty { break }
        }
        try builder.finish()
        let after = try probe.read()
        try pcap?.close()
        var switches: Int?
        if let child {
            switches = child.voluntaryContextSwitches
        } else if let switchesBefore, let now = ContextSwitches.voluntary(of: pids) {
            switches = max(0, now - switchesBefore)
        }
        var counters = after.subtracting(before).excludingProbeReads()
        counters.vsock = Self.vsockCounters(builder.connections.values.map(\.tracker))
        var warnings = probe.warnings + (lag.warning.map { [$0] } ?? [])
        if let signal = stop.signal {
            warnings.append(
                ProbeSession.stopWarning(
                    signal: signal, seconds: seconds, requested: child == nil ? options.durationSeconds : nil,
                    commandStatus: exitStatus, commandSignal: child?.exitSignal, killed: killed) + "; the figures cover that time only")
        } else if pidsExited, let duration = options.durationSeconds {
            // Asked for a duration, cut short by the processes: say so, as a signal would.
            warnings.append(ProbeSession.exitedWarning(processes: pids.count, seconds: seconds, requested: duration) + "; the figures cover that time only")
        }
        return Observation(
            options: options, connections: builder.connections, writeSizes: builder.writeSizes,
            writesBySyscall: builder.writesBySyscall, counters: options.followsProcesses ? counters : counters.withoutProcessCounts(),
            seconds: seconds, lostPackets: (try? tap.lostPackets()) ?? 0, lostWrites: (try? probe.lostWrites()) ?? 0,
            contextSwitches: options.followsProcesses ? switches : nil, pids: pids, exitStatus: exitStatus,
            exitSignal: child?.exitSignal, stopSignal: stop.signal, warnings: warnings, sources: tap.sources + probe.sources, kernel: HostFacts.current().kernel,
            startedAt: startedAt, pcapPackets: pcap?.packets, otherWrites: builder.otherWrites)
    }

    /// The probe's packet counts by op, from observe's own events (the probe's programs for
    /// them are not loaded: see ``ProbeConfiguration/countsVsockPackets``), in the probe's
    /// terms: tx the packets built on this machine, rx those received. A loopback connection
    /// has both ends here, so each of its packets is both (the probe's own programs would
    /// count it twice).
    static func vsockCounters(_ connections: [ConnectionTracker]) -> VsockCounters {
        var tx = [ConnectionTotals.OpCount](repeating: ConnectionTotals.OpCount(), count: 8)
        var rx = tx
        for tracker in connections {
            let sent = tracker.totals.fromParent
            let received = tracker.totals.toParent
            let loopback = tracker.connection.parentCID == tracker.connection.peerCID
            for op in 0..<8 {
                tx[op] = tx[op] + (loopback ? sent[op] + received[op] : sent[op])
                rx[op] = rx[op] + (loopback ? sent[op] + received[op] : received[op])
            }
        }
        return VsockCounters(tx: ObserveDocument.named(tx), rx: ObserveDocument.named(rx))
    }

    /// CLOCK_REALTIME minus CLOCK_MONOTONIC now, to date the BPF side's monotonic timestamps.
    static func realtimeOffsetNanos() -> Int64 {
        var real = timespec()
        var mono = timespec()
        clock_gettime(CLOCK_REALTIME, &real)
        clock_gettime(CLOCK_MONOTONIC, &mono)
        return (Int64(real.tv_sec) - Int64(mono.tv_sec)) * 1_000_000_000 + Int64(real.tv_nsec) - Int64(mono.tv_nsec)
    }
}

extension ProbeCounters {
    /// Without the process counters (no process followed: nothing to count, not zero).
    func withoutProcessCounts() -> ProbeCounters {
        var copy = self
        copy.kvmRun = nil
        copy.kvmExits = nil
        copy.kvmUserspaceExits = nil
        copy.syscalls = [:]
        return copy
    }
}
