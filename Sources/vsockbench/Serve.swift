#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import CShims
import Logging
import VsockBenchSupport
import VsockTransport
import VsockBenchEngine

extension VsockBench {
    struct Serve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the target: the side that would be the enclave.",
            discussion: """
            Serves any number of connections at once, each on its own thread. A connection that \
            sends a malformed frame (bad magic or version, a length over --max-frame, a truncated \
            header) gets an error frame and is closed; the others keep going. Logs connection \
            events to stderr, never payload bytes, starting with the limits in force.

            SIGINT, SIGTERM or SIGHUP stop it cleanly: it stops accepting, and the connections \
            it closes are logged as ended by the shutdown (end=shutdown); each still waiting for \
            its hello, a case's control connection, and an rr, masked or tx stream connection \
            gets a `shutting_down` error frame first (an rx or both stream has no room for one). \
            An rx or both stream's sending stops at once (its driver may have stopped reading); \
            any other connection still busy after 1.5 s (sending to a peer that does not read) is \
            shut down both ways; one still open 5 s later is left to the process's exit, with a warning.

            Exit status: 0 when a signal stopped it; 1 when it cannot listen (the address in use, \
            a file there that is not a socket, a missing directory); 2 for a bad flag or endpoint.

            On start it prints one line to stdout, `listening on ENDPOINT`, with the real port \
            when port 0 was asked for, and on vsock this machine's CID when it can be read: \
            `listening on vsock://any:5005 (local CID 16)`.

            Over vsock+seqpacket:// or unix+seqpacket:// (SOCK_SEQPACKET; vsock needs Linux 5.14+) \
            every frame travels as exactly one packet; a packet that is not exactly one frame gets \
            an error frame and that connection closes. rr and masked cases with the none, window or \
            normalize strategy run there; stream cases and the strategies that merge frames into \
            one write (coalesce, writev, writer_thread, write_chunk, split_writes) are refused \
            with an error frame.

            Examples:
              Inside a Nitro Enclave:
                vsockbench serve --listen vsock://any:5005
              Locally:
                vsockbench serve --listen unix:///tmp/vsockbench.sock
              Message-oriented:
                vsockbench serve --listen unix+seqpacket:///tmp/vsockbench-sp.sock
            """)

        /// Where every limit flag takes its default, and its help the value it names.
        static let defaults = TargetConfiguration.defaults

        /// A default in seconds as the help names it: a bare number (`5`, `300`), or with its
        /// unit when it is not a whole number of seconds.
        static func secondsText(_ seconds: Double) -> String {
            seconds == seconds.rounded() ? String(Int(seconds)) : Quantities.formatDuration(UInt64(seconds * 1e9))
        }

        @Option(name: .long, help: ArgumentHelp("Where to listen: vsock://any:PORT, unix:///path, tcp://HOST:PORT, or with SOCK_SEQPACKET vsock+seqpacket://any:PORT, unix+seqpacket:///path.", valueName: "endpoint"),
                transform: EndpointArgument.parse)
        var listen: EndpointArgument

        @Option(name: .long, help: ArgumentHelp("What the target does with requests: echo (rr echo, stream), or agent (echo plus the masked workload: decode, mask, re-encode protobuf result sets). Default echo.", valueName: "echo|agent"),
                transform: Serve.parseMode)
        var mode: String = Serve.defaults.mode.rawValue

        /// The frame sizes `--max-frame` takes.
        static let maxFrameRange = 1024...(64 << 20)

        @Option(name: .customLong("max-frame"), parsing: .unconditional, help: ArgumentHelp("Largest frame payload accepted, \(Quantities.formatSize(Serve.maxFrameRange.lowerBound)) to \(Quantities.formatSize(Serve.maxFrameRange.upperBound)) (bytes, or 64KiB, 4MiB); the frame buffer never grows past it, and a masked request is refused before decoding when it has more than 131072 rows or 1024 columns (default \(Quantities.formatSize(Serve.defaults.maxFrame))).", valueName: "bytes"), transform: Serve.parseMaxFrame)
        var maxFrame = ByteCount(bytes: Serve.defaults.maxFrame)

        @Option(name: .customLong("allow-cid"), parsing: .unconditionalSingleValue, help: ArgumentHelp("Accept vsock peers from this CID only (repeatable; default: any).", valueName: "cid"),
                transform: OptionValue.nonNegative)
        var allowCID: [UInt32] = []

        @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("SO_SNDBUF for accepted connections.", valueName: "bytes"), transform: ByteCount.parsePositive)
        var sndbuf: ByteCount?

        @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("SO_RCVBUF for accepted connections.", valueName: "bytes"), transform: ByteCount.parsePositive)
        var rcvbuf: ByteCount?

        @Option(name: .customLong("vsock-buffer-size"), parsing: .unconditional, help: ArgumentHelp("SO_VM_SOCKETS_BUFFER_SIZE for accepted vsock connections.", valueName: "bytes"),
                transform: ByteCount.parsePositive)
        var vsockBufferSize: ByteCount?

        @Option(name: .customLong("max-connections"), parsing: .unconditional, help: ArgumentHelp("Connections served at once; more are refused with an error frame (default \(Serve.defaults.maxConnections), at most \(TargetConfiguration.maximumConnections), and at most what the open-file limit allows, said in the log: each is a thread and a file descriptor).", valueName: "count"),
                transform: OptionValue.count)
        var maxConnections: Int?

        @Option(name: .customLong("max-memory"), parsing: .unconditional, help: ArgumentHelp(
            "Memory for the connections' buffers (16MiB or more; default \(Quantities.formatSize(Serve.defaults.maxMemory))): every connection takes 96KiB from its accept (its thread and hello; past the budget it is refused with over_budget), and a data connection whose case would need more than what is left is refused with over_budget. On vsock this counts the receive buffer a case asks of the kernel (vsock_buffer_size, vsock_buffer_min).",
            valueName: "size"), transform: ByteCount.parsePositive)
        var maxMemory = ByteCount(bytes: Serve.defaults.maxMemory)

        @Option(name: .customLong("hello-timeout"), parsing: .unconditional, help: ArgumentHelp(
            "A connection's hello must be complete within this long of the accept (seconds, or with a unit: 5, 500ms; default \(Serve.secondsText(Serve.defaults.helloTimeoutSeconds))).", valueName: "seconds"),
                transform: TimeSpan.parseTimeout)
        var helloTimeout = TimeSpan(nanos: UInt64(Serve.defaults.helloTimeoutSeconds * 1e9))

        @Option(name: .customLong("idle-timeout"), parsing: .unconditional, help: ArgumentHelp("Drop a connection that sends no complete frame, or takes none of ours, for this long (seconds, or with a unit: 300, 5m; default \(Serve.secondsText(Serve.defaults.idleTimeoutSeconds))). A case's control connection is silent while the case runs: it counts as idle only while none of the case's data connections is open.", valueName: "seconds"),
                transform: TimeSpan.parseTimeout)
        var idleTimeout = TimeSpan(nanos: UInt64(Serve.defaults.idleTimeoutSeconds * 1e9))

        @Option(name: .customLong("log-level"), help: ArgumentHelp("What stderr gets: \(Serve.logLevels) (default info).", valueName: "level"),
                transform: Serve.parseLogLevel)
        var logLevel: String = "info"

        /// The levels `--log-level` takes, least severe first, as the help and its error say them.
        static let logLevels: String = {
            let names = Logger.Level.allCases.map(\.rawValue)
            return names.dropLast().joined(separator: ", ") + " or " + (names.last ?? "")
        }()

        @Sendable static func parseMode(_ text: String) throws -> String {
            guard TargetMode(rawValue: text) != nil else {
                throw ArgumentError("use \(TargetMode.allCases.map(\.rawValue).joined(separator: " or "))")
            }
            return text
        }

        @Sendable static func parseLogLevel(_ text: String) throws -> String {
            guard Logger.Level(rawValue: text) != nil else { throw ArgumentError("use \(logLevels)") }
            return text
        }

        @Sendable static func parseMaxFrame(_ text: String) throws -> ByteCount {
            let size = try ByteCount.parsePositive(text)
            guard maxFrameRange.contains(size.bytes) else {
                throw ArgumentError("\(Quantities.formatSize(size.bytes)) is outside \(Quantities.formatSize(maxFrameRange.lowerBound)) to \(Quantities.formatSize(maxFrameRange.upperBound))")
            }
            return size
        }

        @Option(name: .customLong("inject-fault"), help: .hidden)
        var injectFault: String?

        @Option(name: .customLong("parent-pid"), help: .hidden)
        var parentPID: Int32?

        func run() throws {
            let endpoint = listen.endpoint
            guard let mode = TargetMode(rawValue: mode) else {
                throw fail("unknown mode '\(self.mode)'; use \(TargetMode.allCases.map(\.rawValue).joined(separator: " or "))", code: Exit.badInput)
            }
            guard let level = Logger.Level(rawValue: logLevel) else {
                throw fail("unknown log level '\(logLevel)'", code: Exit.badInput)
            }
            var configuration = TargetConfiguration(listen: endpoint)
            configuration.mode = mode
            configuration.maxFrame = maxFrame.bytes
            configuration.allowedCIDs = allowCID
            let maxConnections = self.maxConnections ?? Self.defaults.maxConnections
            guard maxConnections > 0 else { throw fail("--max-connections must be positive", code: Exit.badInput) }
            // Unbounded, a huge value was taken: a thread and a descriptor each, the limit
            // never reached, and a flood of connections never refused busy.
            guard maxConnections <= TargetConfiguration.maximumConnections else {
                throw fail("--max-connections \(maxConnections) is above \(TargetConfiguration.maximumConnections) (each connection is a thread and a file descriptor)", code: Exit.badInput)
            }
            configuration.maxConnections = maxConnections
            configuration.idleTimeoutSeconds = idleTimeout.seconds
            configuration.helloTimeoutSeconds = helloTimeout.seconds
            guard maxMemory.bytes >= 16 << 20 else { throw fail("--max-memory \(Quantities.formatSize(maxMemory.bytes)) is below 16MiB", code: Exit.badInput) }
            configuration.maxMemory = maxMemory.bytes
            if let injectFault {
                guard let fault = TargetFault(parsing: injectFault) else {
                    throw fail("--inject-fault takes corrupt-response:N, drop-response:N or corrupt-stream:N", code: Exit.badInput)
                }
                configuration.fault = fault
            }
            configuration.socket.sendBuffer = sndbuf?.bytes
            configuration.socket.receiveBuffer = rcvbuf?.bytes
            configuration.socket.vsockBufferSize = vsockBufferSize.map { UInt64($0.bytes) }

            if let parentPID {
                // Started by `run` as its local target: go when the driver goes.
                _ = cshims_set_parent_death_signal(SIGTERM)
                if getppid() != parentPID { return }
            }
            let flood = LogFlood()
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                // A flood of bad connections logs a bounded number of lines a second.
                return RateLimitedLogHandler(wrapping: handler, flood: flood)
            }
            let logger = Logger(label: "vsockbench.serve")
            // Each connection holds a descriptor: past the open-file limit, accept fails and
            // waits instead of refusing busy, so the limit (raised to its hard value first)
            // bounds the connections served at once, and the log says so.
            let allowed = Self.connectionsTheOpenFileLimitAllows()
            if let allowed, configuration.maxConnections > allowed {
                // Said as the default when it is: the user never typed the number.
                let asked = self.maxConnections == nil ? "--max-connections' default of \(configuration.maxConnections)" : "--max-connections \(configuration.maxConnections)"
                logger.warning("\(asked) is more than the open-file limit allows: serving at most \(allowed) connection\(allowed == 1 ? "" : "s") at once, refusing more as busy (raise it with ulimit -n)")
                configuration.maxConnections = allowed
            }
            if !allowCID.isEmpty, !endpoint.isVsock {
                logger.warning("--allow-cid applies to vsock listeners only; it is ignored on \(endpoint.transportName)")
            }
            for (flag, asked, limit) in [("--sndbuf", sndbuf, "wmem_max"), ("--rcvbuf", rcvbuf, "rmem_max")] {
                if let asked, let warning = Self.bufferCapWarning(flag: flag, asked: asked.bytes, limit: limit, value: Self.coreSysctl(limit)) {
                    logger.warning("\(warning)")
                }
            }
            if vsockBufferSize != nil, !endpoint.isVsock {
                logger.warning("--vsock-buffer-size applies to vsock listeners only; it is ignored on \(endpoint.transportName)")
            }
            let server: TargetServer
            do {
                server = try TargetServer(configuration: configuration, logger: logger, logFlood: flood)
            } catch {
                // The endpoint parsed: failing to listen there (in use, no AF_VSOCK) is a runtime failure.
                throw fail(error.description, code: Exit.failure)
            }
            SignalWatcher.start { signal in
                logger.info("signal received; stopping", metadata: ["signal": "\(signal)"])
                server.stop()
            }
            // The local CID is read only on vsock (an ioctl on /dev/vsock that talks to nobody).
            StandardOutput.writeLine(TargetServer.listeningLine(server.endpoint, localCID: server.endpoint.isVsock ? VsockSupport.readLocalCID() : nil))
            server.serve()
        }

        /// What the kernel makes of a socket buffer request above its limit: it takes
        /// `min(asked, limit)` and doubles it, so a connection gets twice the limit, not what
        /// was asked, and without a word (the run's own `sndbuf`/`rcvbuf` note sees only the
        /// scenario's sizes). nil when the request is within the limit or the limit is unknown.
        static func bufferCapWarning(flag: String, asked: Int, limit: String, value: Int?) -> String? {
            guard let value, value > 0, asked > value else { return nil }
            return "\(flag) \(Quantities.formatSize(asked)) is above net.core.\(limit) (\(Quantities.formatSize(value))): the kernel caps it there, so each connection gets \(Quantities.formatSize(min(value, Int(Int32.max) / 2) * 2)) (its doubling of the limit); raise net.core.\(limit) for more"
        }

        /// net.core.NAME from /proc/sys (no sysctl binary in an enclave's initramfs); nil when unreadable.
        static func coreSysctl(_ name: String) -> Int? {
            guard let bytes = try? FileContents.read(path: "/proc/sys/net/core/\(name)", limit: 64) else { return nil }
            return Int(String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isWhitespace).first ?? "")
        }

        /// Descriptors kept for everything but connections: the listener, standard streams,
        /// control connections' neighbours, the watchdog, a few files.
        static let reservedDescriptors = 32

        /// The connections the open-file limit leaves room for, once raised to its hard limit;
        /// nil when it cannot be read.
        static func connectionsTheOpenFileLimitAllows() -> Int? {
            let limit = cshims_raise_open_file_limit()
            guard limit > 0 else { return nil }
            return Int(max(1, min(limit, Int64(Int32.max)) - Int64(reservedDescriptors)))
        }
    }
}
