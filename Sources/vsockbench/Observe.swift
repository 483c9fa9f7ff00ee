import ArgumentParser
import Foundation
import VsockObserve
import VsockProbe

extension VsockBench {
    /// `vsockbench observe`: watch a live vsock exchange from the parent, any protocol.
    struct Observe: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "observe",
            abstract: "Watch the vsock connections of a port and rebuild their exchanges: any protocol, nothing changed.",
            usage: """
                vsockbench observe --port PORT [--cid CID] --duration D [--json F] [--html F] [--pcap F]
                vsockbench observe --port PORT [--cid CID] --pid PID ... [--duration D] [--json F] [--html F] [--pcap F]
                vsockbench observe --port PORT [--cid CID] [--json F] [--html F] [--pcap F] -- COMMAND [ARGS...]
                """,
            discussion: """
                Run it on the parent while your own agent runs: it reads every vsock packet from or \
                to PORT with eBPF (the vsock/virtio_transport_* tracepoints; root or CAP_BPF and \
                CAP_PERFMON), knowing nothing of your framing, and rebuilds per connection:
                  turn        a run of data packets one way
                  exchange    a turn from the parent (the request) followed by a turn back (the
                              answer)
                  turnaround  last data packet of the request to the first one back: enclave
                              work plus channel
                  think time  last packet back to the next request: the parent's own work
                  in flight   requests the enclave had not yet read when it answered, plus
                              the answered one (from the packets' fwd_cnt): 1 is
                              stop-and-wait
                With --pid (or a COMMAND, which is followed the same way, with its children) it also \
                counts that process's system calls, its writes to vsock sockets and their sizes \
                (writes to files, pipes and other sockets are counted apart), and its voluntary \
                context switches, per exchange. Exits per exchange come from the same sources as \
                `run --probe` (exits_source says which). Payload bytes never leave the kernel: \
                --pcap writes headers only (LINKTYPE_VSOCK, like a vsockmon capture).

                Loopback (both ends on this machine, CID 1): the side connecting to PORT is taken as \
                the parent.

                Exit status: with a COMMAND, the command's (observe reports first); 127 when it \
                cannot be started because it is not found, 126 when it is found but not executable, \
                as in a shell; 2 for bad input (an option, a --pid, missing privileges).

                Signals: Ctrl-C reaches a COMMAND (the terminal signals its whole group), which ends, \
                and observe reports. SIGTERM or SIGHUP is passed on to the COMMAND, which gets SIGKILL \
                if it has not exited 5 s later; without a COMMAND, SIGTERM, SIGHUP and Ctrl-C end the \
                observation. Either way the report and the --json, --html and --pcap files are \
                written, a warning says it was cut short, and the exit status is 128 + the signal \
                (143 for SIGTERM). A second signal (half a second later or more) quits at once, \
                without a report. The COMMAND dies with vsockbench, even one killed outright; the SIGKILL after the grace time takes the processes it started too, but a vsockbench killed outright takes only the COMMAND.

                Its cost: the BPF programs run on every packet of PORT (and, when following, every \
                system call of the machine), and one thread drains their ring buffer every 20 ms. \
                Events it could not take (the buffer was full) are counted in lost_events.

                Examples:
                  vsockbench observe --port 5005 --pid $(pidof my-parent-app) --duration 30s \\
                      --json agent.json
                  vsockbench observe --port 5005 --cid 16 --duration 10s --pcap agent.pcap
                  vsockbench observe --port 5005 --channel-rtt 80us -- ./load-generator \\
                      --requests 10000
                """
        )

        @Option(parsing: .unconditional, help: ArgumentHelp("The service port: connections from or to it are observed.", valueName: "PORT"), transform: OptionValue.servicePort)
        var port: UInt32

        @Option(parsing: .unconditional, help: ArgumentHelp("Only connections from or to this CID (the enclave's).", valueName: "CID"), transform: OptionValue.nonNegative)
        var cid: UInt32?

        @Option(parsing: .unconditionalSingleValue, help: ArgumentHelp("Also count this process's system calls, writes and context switches (repeatable).", valueName: "PID"),
                transform: OptionValue.pid)
        var pid: [Int32] = []

        @Option(parsing: .unconditional, help: ArgumentHelp("Observe for D seconds, or with a unit (30s, 500ms); without it, until the --pid processes exit or Ctrl-C.", valueName: "D"),
                transform: TimeSpan.parseWatchSpan)
        var duration: TimeSpan?

        @Option(name: .customLong("channel-rtt"), parsing: .unconditional,
                help: ArgumentHelp("The channel's own round trip (what `vsockbench run` measures on it, e.g. 80us): splits turnaround into channel and enclave in the diagnosis.", valueName: "D"),
                transform: TimeSpan.parseShortSpan)
        var channelRTT: TimeSpan?

        @Option(name: .long, help: ArgumentHelp("Write the observation as JSON (schema vsockbench-observe/1) to this file ('-': standard output, and the text report and the command's output to standard error).", valueName: "file"))
        var json: String?

        @Option(name: .long, help: ArgumentHelp("Write a self-contained HTML page to this file.", valueName: "file"))
        var html: String?

        @Option(name: .long, help: ArgumentHelp("Write the packets' headers as a pcap (LINKTYPE_VSOCK 271, no payload) to this file. Sent packets' buf_alloc and fwd_cnt are not recorded (their tracepoint does not carry them): they are written as 0.", valueName: "file"))
        var pcap: String?

        @Argument(parsing: .postTerminator, help: ArgumentHelp("A command to run and observe until it exits, after --.", valueName: "COMMAND"))
        var command: [String] = []

        func validate() throws {
            if command.isEmpty && pid.isEmpty && duration == nil {
                throw ValidationError("Say how long to observe: --duration D, --pid PID (until it exits), or a command after --.")
            }
            if !command.isEmpty && duration != nil { throw ValidationError("Give either --duration or a command, not both: a command is observed until it exits.") }
            if let bad = pid.first(where: { $0 <= 0 }) { throw ValidationError("--pid \(bad) is not a process id (a positive number).") }
        }

        func run() throws {
            // First, before any thread exists: SIGTERM and SIGHUP (SIGINT too without a command)
            // end the observation early, and it still reports.
            let stop = SessionStop()
            SessionSignals.start(stop, command: "observe", followsCommand: !command.isEmpty)
            let output = JSONOutput(path: json)
            try checkWritable(("--json", output.file), ("--html", html), ("--pcap", pcap))
            let availability = VsockProbe.Probe.checkAvailability()
            guard availability == .available else { throw fail("observe: \(availability.message)", code: Exit.badInput) }
            let options = ObserveOptions(
                port: port, cid: cid, pids: OptionValue.distinct(pid), command: command, durationSeconds: duration?.seconds, pcapPath: pcap,
                commandOutputToStderr: output.toStandardOutput)
            let observation: Observation
            do {
                observation = try ObserveSession.run(options, stop: stop)
            } catch {
                // A command that could not be started: 127 or 126, as a shell (not 2, which the
                // command itself may exit with).
                throw fail("observe: \(error)", code: (error as? ProbeError)?.commandStatus ?? Exit.badInput)
            }
            for warning in observation.warnings { printError("warning: \(warning)") }
            let document = ObserveDocument(observation, channelRoundTripMicroseconds: channelRTT.map { $0.seconds * 1e6 })
            // With `--json -` standard output carries the JSON alone: the text goes to stderr.
            output.say(ObserveText.render(document), terminator: "")
            if json != nil {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                try output.write(Array(try encoder.encode(document)) + Array("\n".utf8))
            }
            if let html { try writeFile(html, Array(ObserveHTML.render(document).utf8)) }
            // Stopped by a signal: 128 + the signal, as `run` (the command's status is in the report).
            if let signal = observation.stopSignal ?? stop.signal { throw ExitCode(128 + signal) }
            if let status = observation.exitStatus, status != 0 { throw ExitCode(status) }
        }
    }
}
