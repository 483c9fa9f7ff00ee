import ArgumentParser
import VsockBenchSupport
import VsockTransport
import VsockBenchModel
import VsockBenchEngine
import VsockBenchReport

extension VsockBench {
    struct Sweep: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure a workload over message sizes and fit the latency-bandwidth model t(n) = alpha + n/beta.",
            discussion: """
            One case per size (rr: request = response = size, one in flight, one connection; \
            stream: writes of size). The fit (ordinary least squares) gives alpha (fixed cost per \
            message) and beta (the bandwidth large messages approach), each with its 95% interval \
            (Student t on sizes - 2 degrees of freedom), n_half = alpha*beta (the size that reaches \
            half of beta), the residual of each point and R^2 (none with two sizes: a line through two \
            points fits them whatever their noise, so give at least 3); then what batching k \
            messages into one write predicts (k = 1, 2, 4, 8, 16, 32), each write outside the \
            measured sizes marked as an extrapolation, none made over the 64MiB a write may carry. \
            No batching is predicted from a fit with alpha < 0 (no fixed cost to amortize), with \
            alpha's interval reaching 0 or above the smallest size's t, or with R^2 below 0.5: \
            the line then explains less than half of the variance of the \
            points, the noise more than the channel (a busy machine, a short --duration); the \
            report says so, the JSON's batching is empty and batching_withheld says why, and \
            `diagnose --sweep` refuses the file. Between 0.5 and 0.9 a note says the points \
            are noisy. rr: t is the round-trip time per message; stream: t is the time per write.

            With --rates, the sweep is over offered load instead: one size (--sizes, 8KiB by \
            default), one open-loop case per rate (requests sent at their intended times whatever \
            the responses do, latency from each intended time), and the table of p50, p99 and \
            p99.9 against the rate offered, the rate answered, and the knee: the highest rate \
            before the target fell behind or p99 passed twice the lowest p99 of the rates before it (the \
            lightest load's, unless a heavier rate read lower).

            Exit status: 0 every size measured and fitted (--rates: every rate measured); 1 a case failed or the points could not \
            be fitted; 2 bad input; interrupted (Ctrl-C, SIGTERM, SIGHUP), it stops the current case, still reports what was \
            measured and exits 128 + the signal (130, 143, 129).

            Each size runs 2s after a 500ms warmup unless --duration, --warmup or --messages say \
            otherwise; the driver flags are those of `run` (--target, including null for the \
            processing ceiling of rr and masked, --probe, --case, --io-timeout). --case measures \
            only the sizes it names, by case name (rr-8KiB; with --rates, rr-8KiB@1000), at least \
            2, refused before anything runs otherwise; the others are reported as skipped.

            Examples:
              vsockbench sweep --workload rr
              vsockbench sweep --workload stream --sizes 4KiB,64KiB,256KiB --json \\
                  sweep.json --html sweep.html
              vsockbench sweep --workload rr --target vsock://16:5005 --duration 3s --probe
              vsockbench sweep --workload masked --target null
              vsockbench sweep --workload rr --sizes 8KiB --rates 1000,2000,5000,10000/s \\
                  --html rates.html
            """)

        @Option(name: .long, help: ArgumentHelp("rr, stream or masked.", valueName: "workload"))
        var workload: String = SweepWorkload.rr.rawValue

        @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Message sizes, comma-separated (default \(SweepPlan.defaultSizes), masked \(SweepPlan.defaultMaskedSizes); with --rates one size, default 8KiB).", valueName: "sizes"), transform: OptionValue.text)
        var sizes: String?

        @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Sweep offered load instead of size: open-loop rates, comma-separated (1000,2000,5000,10000/s).", valueName: "rates"), transform: OptionValue.text)
        var rates: String?

        @Option(name: .customLong("batch-size"), parsing: .unconditional, help: ArgumentHelp("Message size the batching predictions are for (default 8KiB; not with --rates, which predicts no batching).", valueName: "size"),
                transform: ByteCount.parsePositive)
        var batchSize: ByteCount?

        @OptionGroup var driver: DriverFlags

        @Option(name: .long, help: JSONOutput.help("the run document with a `sweep` (or `rate_sweep`) section"))
        var json: String?

        /// Where the text and the JSON go (`--json -`: the JSON alone on standard output).
        var output: JSONOutput { JSONOutput(path: json) }

        @Option(name: .long, help: ArgumentHelp("Write a self-contained HTML report with the sweep curve to this file.", valueName: "file"))
        var html: String?

        func validate() throws {
            if let problem = driver.trialFlagsProblem(trials: driver.repeatCount) { throw ValidationError(problem) }
            // A rate sweep fits no line and predicts no batching: the flag did nothing (review).
            if rates != nil, let batchSize {
                throw ValidationError("--batch-size \(batchSize.typed): a rate sweep (--rates) predicts no batching; leave --batch-size out, or sweep sizes without --rates")
            }
        }

        func run() throws {
            try checkWritable(("--json", output.file), ("--html", html))
            if let rates { return try runRates(rates) }
            let planned = try makePlan()
            let batchBytes = (batchSize ?? ByteCount(bytes: 8192)).bytes
            let plan: SweepPlan
            do throws(SweepError) {
                plan = try planned.selecting(driver.cases)
                try plan.checkLimits(maxFrame: DriverSession.startedTargetFrameLimit(driver, for: plan.selectedScenario.cases))
            } catch {
                throw fail(error.description, code: Exit.badInput)
            }
            let scenario = try driver.applyOverrides(to: plan.selectedScenario)
            let session = try DriverSession(flags: driver, cases: scenario.cases)
            defer { session.close() }
            let document = session.run(scenario, plan: DriverSession.plan(driver))
            let sweep = SweepReport(plan: plan, document: document, batchMessageBytes: batchBytes)
            output.say(RunTable.render(document))
            output.say(SweepTable.render(sweep), terminator: "")
            try output.write(SweepDocument(run: document, sweep: sweep).encoded())
            if let html { try writeFile(html, Array(HTMLReport.render(document, sweep: sweep, title: "vsockbench sweep: \(plan.workload.rawValue)").utf8)) }
            if session.runner.wasInterrupted {
                session.close()
                throw ExitCode(session.interruptStatus)
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
            do {
                // Each size runs 2s after a 500ms warmup unless --duration/--warmup/--messages say otherwise.
                let plan = try SweepPlan(workload: kind, sizes: SweepPlan.parseSizes(sizes ?? SweepPlan.defaultSizes(for: kind)), stop: .duration(nanos: 2_000_000_000), warmupNanos: 500_000_000)
                if plan.sizes.count < 2 {
                    throw fail("\(LatencyBandwidthFitError.tooFewPoints(plan.sizes.count))", code: Exit.badInput)
                }
                return plan
            } catch let error as SweepError {
                throw fail(error.description, code: Exit.badInput)
            }
        }

        /// `--rates`: one size, one open-loop case per offered rate.
        private func runRates(_ text: String) throws {
            guard let kind = SweepWorkload(rawValue: workload) else {
                throw fail("unknown workload '\(workload)'; use rr or masked with --rates", code: Exit.badInput)
            }
            var plan: RateSweepPlan
            do {
                let sized = try SweepPlan.parseSizes(sizes ?? "8KiB")
                guard sized.count == 1, let size = sized.first else {
                    throw fail("--rates sweeps one message size; give one with --sizes (for example --sizes 8KiB), not \(sized.count)", code: Exit.badInput)
                }
                plan = try RateSweepPlan(workload: kind, size: size, rates: RateSweepPlan.parseRates(text), stop: .duration(nanos: 2_000_000_000), warmupNanos: 500_000_000)
            } catch let error as SweepError {
                throw fail(error.description, code: Exit.badInput)
            }
            let selected: Scenario
            do throws(SweepError) {
                plan = try plan.selecting(driver.cases)
                selected = plan.selectedScenario
            } catch { throw fail(error.description, code: Exit.badInput) }
            do throws(SweepError) { try SweepPlan.checkLimits(selected.cases, maxFrame: DriverSession.startedTargetFrameLimit(driver, for: selected.cases)) } catch { throw fail(error.description, code: Exit.badInput) }
            let scenario = try driver.applyOverrides(to: selected)
            let session = try DriverSession(flags: driver, cases: scenario.cases)
            defer { session.close() }
            let document = session.run(scenario, plan: DriverSession.plan(driver))
            let sweep = RateSweepReport(plan: plan, document: document)
            output.say(RunTable.render(document))
            output.say(RateSweepTable.render(sweep), terminator: "")
            try output.write(RateSweepDocument(run: document, rateSweep: sweep).encoded())
            if let html { try writeFile(html, Array(HTMLReport.render(document, rateSweep: sweep, title: "vsockbench sweep: \(plan.workload.rawValue) over offered load").utf8)) }
            if session.runner.wasInterrupted {
                session.close()
                throw ExitCode(session.interruptStatus)
            }
            if !document.allVerified { throw ExitCode(Exit.failure) }
        }
    }
}
