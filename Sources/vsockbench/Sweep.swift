import ArgumentParser
import VsockBenchSupport
import VsockTransport
import VsockBenchReport

extension VsockBench {
    struct Sweep: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure a workload over message sizes and fit the latency-bandwidth model t(n) = alpha + n/beta.",
            discussion: """
            One case per size (rr: request = response = size, one in flight, one connection; \
            stream: writes of size). The fit gives alpha (fixed cost per message), beta (the \
            bandwidth large messages approach) and n_half = alpha*beta (the size that reaches half \
            of beta), the residual of each point and R^2; then what batching k messages into one \
            write predicts (k = 1, 2, 4, 8, 16, 32). rr: t is the round-trip time per message; \
            stream: t is the time per write.

            Exit status: 0 every size measured and fitted; 1 a case failed or the points could not \
            be fitted; 2 bad input.

            Examples:
              vsockbench sweep --workload rr
              vsockbench sweep --workload stream --sizes 4KiB,64KiB,256KiB --json sweep.json --html sweep.html
              vsockbench sweep --workload rr --target vsock://16:5005 --duration 3s
            """)

        @Option(name: .long, help: ArgumentHelp("rr, stream or masked.", valueName: "workload"))
        var workload: String = SweepWorkload.rr.rawValue

        @Option(name: .long, help: ArgumentHelp("Message sizes, comma-separated.", valueName: "sizes"))
        var sizes: String = SweepPlan.defaultSizes

        @Option(name: .long, help: ArgumentHelp(
            "The target to drive: vsock://CID:PORT, unix:///path or tcp://HOST:PORT. Default: start a local target on a private Unix socket.",
            valueName: "endpoint"))
        var target: String?

        @Option(name: .long, help: ArgumentHelp("Measured duration per size.", valueName: "duration"))
        var duration: String = "2s"

        @Option(name: .long, help: ArgumentHelp("Warmup per size (not measured; 0s for none).", valueName: "duration"))
        var warmup: String = "500ms"

        @Option(name: .customLong("batch-size"), help: ArgumentHelp("Message size the batching predictions are for.", valueName: "size"))
        var batchSize: String = "8KiB"

        @Option(name: .customLong("io-timeout"), help: ArgumentHelp("Fail a case when a read or write blocks longer than this many seconds.", valueName: "seconds"))
        var ioTimeout: Double = 10

        @Option(name: .long, help: ArgumentHelp("Write the run document with a `sweep` section as JSON to this file.", valueName: "file"))
        var json: String?

        @Option(name: .long, help: ArgumentHelp("Write a self-contained HTML report with the sweep curve to this file.", valueName: "file"))
        var html: String?

        func run() throws {
            try checkWritable(json, html)
            let plan = try makePlan()
            let batchBytes = try size(batchSize, "--batch-size")
            guard ioTimeout > 0 else { throw fail("--io-timeout must be positive", code: Exit.badInput) }
            var endpoint: Endpoint?
            if let target {
                do { endpoint = try Endpoint(parsing: target) } catch { throw fail(error.description, code: Exit.badInput) }
            }
            let session = try DriverSession(target: endpoint, ioTimeout: ioTimeout)
            defer { session.close() }
            let document = session.run(plan.scenario)
            let sweep = SweepReport(plan: plan, document: document, batchMessageBytes: batchBytes)
            print(RunTable.render(document))
            print(SweepTable.render(sweep), terminator: "")
            if let json { try writeFile(json, SweepDocument(run: document, sweep: sweep).encoded()) }
            if let html { try writeFile(html, Array(HTMLReport.render(document, sweep: sweep, title: "vsockbench sweep: \(plan.workload.rawValue)").utf8)) }
            if session.runner.wasInterrupted {
                session.close()
                throw ExitCode(Exit.interrupted)
            }
            if !document.allVerified || sweep.fit == nil {
                if let error = sweep.fitError { printError("vsockbench: sweep: no fit: \(error)") }
                throw ExitCode(Exit.failure)
            }
        }

        private func makePlan() throws -> SweepPlan {
            guard let kind = SweepWorkload(rawValue: workload) else {
                throw fail("unknown workload '\(workload)'; use \(SweepWorkload.allCases.map(\.rawValue).joined(separator: ", "))", code: Exit.badInput)
            }
            guard case let .success(nanos) = Quantities.parseDuration(duration), nanos > 0 else {
                throw fail("--duration '\(duration)' is not a positive duration such as 2s or 500ms", code: Exit.badInput)
            }
            guard case let .success(warmupNanos) = Quantities.parseDuration(warmup) else {
                throw fail("--warmup '\(warmup)' is not a duration such as 200ms or 0s", code: Exit.badInput)
            }
            do {
                let plan = try SweepPlan(workload: kind, sizes: SweepPlan.parseSizes(sizes), stop: .duration(nanos: nanos), warmupNanos: warmupNanos)
                if plan.sizes.count < 2 {
                    throw fail("\(LatencyBandwidthFitError.tooFewPoints(plan.sizes.count))", code: Exit.badInput)
                }
                return plan
            } catch let error as SweepError {
                throw fail(error.description, code: Exit.badInput)
            }
        }

        private func size(_ text: String, _ flag: String) throws -> Int {
            switch Quantities.parseSize(text) {
            case let .success(bytes) where bytes > 0: return bytes
            case .success: throw fail("\(flag) must be larger than zero", code: Exit.badInput)
            case let .failure(error): throw fail("\(flag): \(error)", code: Exit.badInput)
            }
        }
    }
}
