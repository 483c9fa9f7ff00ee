import ArgumentParser
import Foundation
import VsockBenchSupport
import VsockProbe

extension VsockBench {
    /// `vsockbench probe`: run a command (or watch a process) under the eBPF probe.
    struct Probe: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "probe",
            abstract: "Count what a command costs below the application: KVM_RUN, VM exits, vsock packets, syscalls.",
            usage: """
                vsockbench probe [--json FILE] [--interval S] -- COMMAND [ARGS...]
                vsockbench probe --pid PID ... [--duration D] [--json FILE] [--interval S]
                """,
            discussion: """
                The command is started held before exec, the probe is attached to its pid, then it \
                runs; its children are followed too. The counts are printed when it exits, and \
                vsockbench exits with the command's status; a command that cannot be started exits \
                127 (not found) or 126 (found but not executable), as in a shell. Needs root (or CAP_BPF and CAP_PERFMON); \
                without them it says what is missing and exits 2.

                Ctrl-C reaches the command (the terminal signals its whole group) and the counts are \
                still printed. SIGTERM or SIGHUP is passed on to the command, which gets SIGKILL if it \
                has not exited 5 s later; with --pid, SIGTERM, SIGHUP and Ctrl-C end the count (the \
                process is left alone). Either way the counts and --json are written, a warning (in \
                the JSON's "warnings" too) says the count was cut short, and the exit status is 128 + the signal (143 for SIGTERM). \
                A second signal (half a second later or more) quits at once, without a report. The \
                command dies with vsockbench, even one killed outright; the SIGKILL after the grace time takes the processes it started too, but a vsockbench killed outright takes only the COMMAND.

                What each counter means:
                  kvm_run             KVM_RUN ioctls (0xAE80) of the followed processes:
                                      one per entry into a guest; a VMM making many is
                                      leaving its guest often.
                  kvm_exit REASON     VM exits handled in the host kernel (kvm/kvm_exit)
                                      on the VMM's vcpu threads, by reason
                                      (IO_INSTRUCTION, HLT, EPT_VIOLATION...).
                  kvm_userspace_exit  returns from KVM_RUN to the VMM, by KVM_EXIT_*
                                      reason (IO, MMIO...).
                  vsock tx/rx OP      virtio-vsock packets built (tx) and received (rx),
                                      by op: RW carries data; CREDIT_UPDATE and
                                      CREDIT_REQUEST are flow control. Filtered by
                                      --vsock-port/--vsock-cid, not by process (the
                                      receive path runs in kernel workers): without a
                                      filter they are the machine's.
                  vsock_irqs          interrupts of the virtio vsock device's queues,
                                      machine-wide (an IRQ has no process): host-to-guest
                                      notifications, a proxy for VM exits inside a guest
                                      such as a Nitro parent.
                  virtqueue_kicks     guest-to-host notifications of the vsock device,
                                      machine-wide (fentry on virtqueue_notify); '-' where
                                      the kernel refuses fentry.
                  syscalls NAME       system calls of the followed processes, by name.
                A '-' means the program counting it is off on this machine; the list
                after the counts, and "sources" in the JSON, say why.

                Examples:
                  sudo vsockbench probe -- ./my-parent-app --requests 1000
                  sudo vsockbench probe --pid $(pidof my-parent-app) --duration 10s \\
                      --vsock-port 5005
                  sudo vsockbench probe --interval 1s --json counts.json -- socat - \\
                      VSOCK-CONNECT:16:5005
                """
        )

        @Option(name: .customLong("json"), help: ArgumentHelp("Also write the counters and the warnings as JSON to FILE ('-': standard output, and the text report and the command's output to standard error).", valueName: "FILE"))
        var jsonPath: String?

        @Option(parsing: .unconditional, help: ArgumentHelp("Print the counts of every S seconds while it runs (or with a unit: 500ms); the last row, at the end, covers what is left, less than S (TIME is each row's end).", valueName: "S"),
                transform: TimeSpan.parseWatchSpan)
        var interval: TimeSpan?

        @Option(parsing: .unconditionalSingleValue, help: ArgumentHelp("Watch this running process (and its new children) instead of starting a command (repeatable).", valueName: "PID"),
                transform: OptionValue.pid)
        var pid: [Int32] = []

        @Option(parsing: .unconditional, help: ArgumentHelp("With --pid: count for D seconds, or with a unit (default: until the processes exit or Ctrl-C).", valueName: "D"),
                transform: TimeSpan.parseWatchSpan)
        var duration: TimeSpan?

        // --port and --cid as well: observe's names for the same filters.
        @Option(name: [.customLong("vsock-port"), .customLong("port")], parsing: .unconditional,
                help: ArgumentHelp("Count only vsock packets from or to this port (--port, as observe names it, is the same).", valueName: "PORT"),
                transform: OptionValue.nonNegative)
        var vsockPort: UInt32?

        @Option(name: [.customLong("vsock-cid"), .customLong("cid")], parsing: .unconditional,
                help: ArgumentHelp("Count only vsock packets from or to this CID (--cid, as observe names it, is the same).", valueName: "CID"),
                transform: OptionValue.nonNegative)
        var vsockCid: UInt32?

        @Flag(help: "Count only the process itself, not the processes it starts.")
        var noChildren = false

        @Argument(parsing: .postTerminator, help: ArgumentHelp("The command to run under the probe, after --.", valueName: "COMMAND"))
        var command: [String] = []

        func validate() throws {
            if pid.isEmpty && command.isEmpty { throw ValidationError("Give a command after --, or --pid PID.") }
            if !pid.isEmpty && !command.isEmpty { throw ValidationError("Give either a command or --pid, not both.") }
            if duration != nil && pid.isEmpty { throw ValidationError("--duration goes with --pid; a command runs until it exits.") }
            if let bad = pid.first(where: { $0 <= 0 }) { throw ValidationError("--pid \(bad) is not a process id (a positive number).") }
        }

        func run() throws {
            // First, before any thread exists: SIGTERM and SIGHUP (SIGINT too with --pid) end the
            // count early, and it still reports.
            let stop = SessionStop()
            SessionSignals.start(stop, command: "probe", followsCommand: pid.isEmpty)
            // Before the command runs: an unwritable --json had been found after it ran and its
            // counts were printed (exit 1, hiding the command's own status).
            try checkWritable(("--json", JSONOutput(path: jsonPath).file))
            let availability = VsockProbe.Probe.checkAvailability()
            guard availability == .available else {
                printError("vsockbench probe: \(availability.message)")
                throw ExitCode(2)
            }
            let configuration = ProbeConfiguration(
                pids: [], followChildren: !noChildren, vsockPort: vsockPort, vsockCID: vsockCid)
            // With `--json -` standard output carries the JSON alone: the text goes to stderr.
            let output = JSONOutput(path: jsonPath)
            let show: @Sendable (String) -> Void = { text in output.say(text, terminator: "") }
            if interval != nil { show(ProbeReport.intervalHeader + "\n") }
            let onInterval: ProbeSession.IntervalHandler = { delta, elapsed in
                show(ProbeReport.intervalLine(delta, elapsed: elapsed) + "\n")
            }
            let result: ProbeSessionResult
            let title: String
            let startedAt = iso8601Now()
            do {
                if !pid.isEmpty {
                    let pids = OptionValue.distinct(pid)
                    title = "pid \(pids.map(String.init).joined(separator: ", "))"
                    result = try ProbeSession.attach(
                        pids: pids, duration: duration?.seconds, configuration: configuration, interval: interval?.seconds,
                        stop: stop, onInterval: onInterval)
                } else {
                    title = "`\(Format.shellWords(command))`"
                    result = try ProbeSession.run(
                        command: command, configuration: configuration, interval: interval?.seconds, stop: stop,
                        commandOutputToStderr: output.toStandardOutput, onInterval: onInterval)
                }
            } catch {
                printError("vsockbench probe: \(error)")
                // A command that could not be started: 127 or 126, as a shell (not 2, which the
                // command itself may exit with).
                throw ExitCode((error as? ProbeError)?.commandStatus ?? 2)
            }
            for warning in result.warnings { printError("warning: \(warning)") }
            if interval != nil { show("\n") }
            show(ProbeReport.text(result, title: title))
            if jsonPath != nil {
                let document = ProbeJSON(
                    counters: result.counters, warnings: result.warnings, command: pid.isEmpty ? command : nil,
                    pids: pid.isEmpty ? nil : OptionValue.distinct(pid), startedAt: startedAt, seconds: result.seconds,
                    exitStatus: result.exitStatus, exitSignal: result.exitSignal.map(SessionStop.name(of:)), stopSignal: (result.stopSignal ?? stop.signal).map(SessionStop.name(of:)),
                    followChildren: !noChildren, vsockPort: vsockPort, vsockCID: vsockCid)
                try output.write(try Self.encoded(document))
            }
            // Stopped by a signal: 128 + the signal, as `run` (the command's status is in the report).
            if let signal = result.stopSignal ?? stop.signal { throw ExitCode(128 + signal) }
            if let status = result.exitStatus, status != 0 { throw ExitCode(status) }
        }

        private static func encoded(_ document: ProbeJSON) throws -> [UInt8] {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return Array(try encoder.encode(document)) + Array("\n".utf8)
        }

        private func printError(_ line: String) {
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }
}

/// `probe --json` (schema `vsockbench-probe/1`): the counters' keys, as ever, and beside them
/// what the text's banner says (the command or the pids, when, how long, how the command
/// ended, the filters) and `warnings` (the probe's, and that a signal cut the count short), as
/// `observe`'s JSON has. Every key is always there, null where it does not apply.
struct ProbeJSON: Encodable {
    static let schema = "vsockbench-probe/1"
    let counters: ProbeCounters
    let warnings: [String]
    /// The command run under the probe (nil with --pid).
    var command: [String]?
    /// The processes attached to (nil with a command).
    var pids: [Int32]?
    var startedAt: String
    var seconds: Double
    /// The command's exit status, 128 + the signal when one ended it (nil with --pid).
    var exitStatus: Int32?
    /// The signal that ended the command ("SIGTERM"; its status is then 128 + it), nil when it
    /// exited of itself (and with --pid).
    var exitSignal: String?
    /// The signal that stopped the count early (SIGTERM), nil when it ran to its end.
    var stopSignal: String?
    var followChildren: Bool
    /// The vsock filters (nil: every port, every CID).
    var vsockPort: UInt32?
    var vsockCID: UInt32?

    private enum CodingKeys: String, CodingKey {
        case schema, warnings, command, pids, startedAt = "started_at", seconds, exitStatus = "exit_status", exitSignal = "exit_signal"
        case stopSignal = "stop_signal", followChildren = "follow_children", vsockPort = "vsock_port", vsockCID = "vsock_cid"
    }

    func encode(to encoder: any Encoder) throws {
        try counters.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.schema, forKey: .schema)
        try container.encode(warnings, forKey: .warnings)
        // Nulls said, not left out: every key always present.
        try container.encode(command, forKey: .command)
        try container.encode(pids, forKey: .pids)
        try container.encode(startedAt, forKey: .startedAt)
        try container.encode(seconds, forKey: .seconds)
        try container.encode(exitStatus, forKey: .exitStatus)
        try container.encode(exitSignal, forKey: .exitSignal)
        try container.encode(stopSignal, forKey: .stopSignal)
        try container.encode(followChildren, forKey: .followChildren)
        try container.encode(vsockPort, forKey: .vsockPort)
        try container.encode(vsockCID, forKey: .vsockCID)
    }
}
