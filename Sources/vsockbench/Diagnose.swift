import ArgumentParser
import FoundationEssentials
import VsockBenchModel
import VsockBenchReport
import VsockBenchSupport
import VsockTransport

extension VsockBench {
    struct Diagnose: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Name what limits each case, with the evidence, the advice and what a fix is predicted to give.",
            discussion: """
            Runs the scenario (or reads a results file with --from) and gives each case the \
            verdicts its evidence supports, most confident first, and none where the evidence is \
            not there:
              round_trip_bound    stop-and-wait: throughput is size over round-trip time
              processing_bound    the target's processing fills most of its time
              fragmented_writes   many more write syscalls (or vsock packets) per message
                                  than frames, or a stream's writes smaller than the bulk
                                  case's at under half its Mbps
              flow_control_bound  credit updates, short writes, or buffers smaller than a
                                  frame or the BDP
              notification_bound  VM exits or virtio notifications per message dominate
                                  (needs --probe)
              nagle_delayed_ack   tcp with latency at the delayed-ACK timer
              bandwidth_bound     healthy bulk transfer near the channel's ceiling (a
                                  stream with no other to compare with: no reference)
            Each verdict with a fix predicts a range of the fixed case's msgs/s (Mbps in one \
            direction for a stream, the busier one of a `direction: both` stream): from \
            t(n) = alpha + n/beta (--sweep FILE, a `sweep --json` output, or estimated from \
            the run: alpha from a plain stop-and-wait rr case, beta from the best stream \
            case) with the run's uncertainty (the medians' intervals with --repeat, else \
            ±25%), bounded by a sibling case that already has the fix, the CPU both sides spend \
            per message against the CPUs they have, and the bulk ceiling. With trials, a verdict \
            that fires in only some of them says so. --verify runs every fixed case (the same \
            --repeat), each beside its case run again to show the machine's drift, and reports \
            each prediction against what it measured: inside, MISS, inconclusive (the trials' \
            interval reaches the range but not their median, or the case again moved beyond the \
            spread the range allowed) or not measured (the fixed case failed); with --from in \
            another setup, it says which differ.

            Exit status: 0 with the diagnosis; 1 when a case it ran failed (a lost, reordered \
            or corrupted message, a target nothing listens at); 2 for bad input (a scenario, \
            a results file --from cannot read). Interrupted (Ctrl-C, SIGTERM, SIGHUP), it stops the current case, still reports what was measured and exits 128 + the signal (130, 143, 129); a second one, half a second or more later, quits at once, without a report.

            Examples:
              vsockbench diagnose scenarios/causes.yaml
              vsockbench diagnose scenarios/causes.yaml --verify --repeat 3
              vsockbench diagnose scenarios/cliff.yaml --target vsock://16:5005 --probe \\
                  --json diagnosis.json
              vsockbench diagnose --from results.json --sweep sweep.json
              vsockbench diagnose --from results.json --verify --target vsock://16:5005
            """)

        @Argument(help: ArgumentHelp("A scenario file to run and diagnose (or use --from).", valueName: "scenario"))
        var scenario: String?

        @Option(name: .long, help: ArgumentHelp("Diagnose this results file (run, compare or sweep --json) instead of running.", valueName: "file"))
        var from: String?

        @Option(name: .long, help: ArgumentHelp("Use the latency-bandwidth fit of this `sweep --json` output for predictions (of the cases of its workload); refused when its alpha < 0 or its R^2 is below 0.5.", valueName: "file"))
        var sweep: String?

        @OptionGroup var driver: DriverFlags

        @Flag(name: .long, help: ArgumentHelp(
            "Apply each quantified fix to its case, run it (with --from: against --target, or a local target; --case picks the cases whose fixes run), and report predicted against measured."))
        var verify = false

        @Option(name: .long, help: JSONOutput.help("the run document with each case's `diagnosis`"))
        var json: String?

        @Option(name: .long, help: ArgumentHelp("Write a self-contained HTML report with the verdicts.", valueName: "file"))
        var html: String?

        func validate() throws {
            if scenario == nil, from == nil {
                throw ValidationError("give a scenario to run (vsockbench diagnose scenarios/causes.yaml), or --from RESULTS.json to read a finished run")
            }
            if scenario != nil, from != nil {
                throw ValidationError("give a scenario to run, or --from RESULTS.json, not both")
            }
            // --from without --verify runs nothing: a flag that shapes a run would be ignored.
            if from != nil, !verify, let flag = driver.runFlagsGiven.first {
                throw ValidationError("\(flag) shapes a run, and diagnose --from reads a finished one without running anything: add --verify to run the fixes with it, or leave it out")
            }
            // --from with --verify runs the fixes with the results file's own trials, known once
            // it is read (checked then); otherwise the trials are --repeat's.
            if from == nil || !verify, let problem = driver.trialFlagsProblem(trials: driver.repeatCount) { throw ValidationError(problem) }
        }

        func run() throws {
            let output = JSONOutput(path: json)
            try checkWritable(("--json", output.file), ("--html", html), inputs: [("the scenario", scenario), ("the --from results", from), ("the --sweep results", sweep)].compactMap { what, path in path.map { (what, $0) } })
            var fit: LatencyBandwidthFit?
            var fitSource: String?
            var fitWorkload: SweepWorkload?
            if let sweep {
                do {
                    let document = try SweepDocument.decode(try readBytes(sweep))
                    guard let model = document.sweep.fit?.model else {
                        throw fail("\(sweep) has no fit (\(document.sweep.fitError ?? "no fit section"))", code: Exit.badInput)
                    }
                    guard model.betaBytesPerSecond > 0, model.betaBytesPerSecond.isFinite, model.alphaSeconds.isFinite else {
                        throw fail("\(sweep)'s fit has a bandwidth beta of \(Format.compact(model.betaMbps)) Mbps: no sweep measures that (a hand-edited file?); sweep again, or leave out --sweep", code: Exit.badInput)
                    }
                    if let r2 = document.sweep.fit?.r2, !(-1e-9...(1 + 1e-9)).contains(r2) {
                        throw fail("\(sweep)'s fit has R^2 \(Format.fixed(r2, 4)), outside 0...1: no fit gives that (a hand-edited file?); sweep again, or leave out --sweep", code: Exit.badInput)
                    }
                    guard model.isPhysical else {
                        throw fail("\(sweep)'s fit has alpha < 0 (\(Format.compact(model.alphaMicros)) us): the fixed cost per message is within the noise of its points, so it predicts nothing; sweep again with a longer --duration or on a quiet machine, or leave out --sweep", code: Exit.badInput)
                    }
                    if let section = document.sweep.fit, section.explainsTooLittle {
                        throw fail("\(sweep)'s fit has R^2 \(Format.fixed(section.r2, 4)), below \(Format.fixed(SweepReport.minimumR2, 1)): the line explains less than half of the variance of its points, so it predicts nothing; sweep again with a longer --duration, on a quieter machine or over more sizes, or leave out --sweep", code: Exit.badInput)
                    }
                    // alpha within its noise, or over the smallest size's whole time: sweep made no
                    // batching prediction from it, and diagnose predicted from it all the same.
                    if let reason = document.sweep.alphaNotMeasuredText {
                        throw fail("\(sweep)'s fit does not measure alpha: \(reason); so it predicts nothing: sweep again with a longer --duration, on a quieter machine or over more sizes, or leave out --sweep", code: Exit.badInput)
                    }
                    guard let workload = SweepWorkload(rawValue: document.sweep.workload) else {
                        throw fail("\(sweep) sweeps the workload '\(document.sweep.workload)', which this version does not know", code: Exit.badInput)
                    }
                    fit = model
                    fitWorkload = workload
                    // A line through two points is untested: every prediction from it says so.
                    fitSource = "the sweep in \(sweep)" + (document.sweep.twoPointCaveat == nil ? "" : ", a line through its 2 sizes alone")
                } catch let error as ExitCode {
                    throw error
                } catch {
                    throw fail("\(sweep) is not a `sweep --json` output: \(DecodingErrorText.describe(error))", code: Exit.badInput)
                }
            }
            let measured: RunDocument
            var session: DriverSession?
            defer { session?.close() }
            if let from {
                do {
                    measured = try RunDocumentFile.load(path: from)
                } catch {
                    throw fail("\(error)", code: Exit.badInput)
                }
                if verify, let unknown = driver.cases.first(where: { name in !measured.cases.contains { $0.name == name } }) {
                    throw fail("--case \(Terminal.safe(unknown)): \(from) has no case of that name (it has \(measured.cases.map { Terminal.safe($0.name) }.joined(separator: ", ")))", code: Exit.badInput)
                }
                if verify, let problem = driver.trialFlagsProblem(trials: trialsToVerify(measured)) {
                    throw fail(problem + " (\(from) has one trial per case)", code: Exit.badInput)
                }
                try checkSweep(fitWorkload, against: measured.cases.map { ($0.name, $0.workload) })
            } else {
                let scenario = try driver.loadScenario(path: self.scenario ?? "")
                try checkWritable(("--json", output.file), ("--html", html), inputs: scenario.corpusInputs)
                try checkSweep(fitWorkload, against: scenario.cases.map { ($0.name, $0.kind) })
                let driving = try DriverSession(flags: driver, cases: scenario.cases)
                session = driving
                measured = driving.run(scenario, plan: DriverSession.plan(driver))
            }
            // Interrupted, what was measured is still diagnosed and written (as run and
            // compare report theirs), the fixes are not run, and the status says so.
            var document = Diagnoser.diagnose(measured, fit: fit, fitSource: fitSource, fitWorkload: fitWorkload)
            var fixesFailed: [String] = []
            if verify, session?.runner.wasInterrupted == true {
                printError("vsockbench: interrupted: the fixes were not run (--verify)")
            } else if verify {
                (document, fixesFailed) = try verified(document, measured: measured) {
                    if let session { return session }
                    let started = try DriverSession(flags: driver, cases: measured.cases.map(\.spec))
                    session = started
                    return started
                }
            }
            output.say("diagnosis of \(document.scenario) (\(document.target))\n")
            output.say(Diagnoser.render(document), terminator: "")
            try output.write(document.encoded())
            if let html { try writeFile(html, Array(HTMLReport.render(document, title: "vsockbench diagnose: \(document.scenario)").utf8)) }
            if let session, session.runner.wasInterrupted {
                session.close()
                throw ExitCode(session.interruptStatus)
            }
            if from == nil, !document.allVerified { throw ExitCode(Exit.failure) }
            // A fix or a case again that failed is a case this command ran that failed (with
            // --from too): exit 1, as --help says (it exited 0, review).
            if !fixesFailed.isEmpty {
                printError("vsockbench: --verify: \(fixesFailed.map { Terminal.safe($0) }.joined(separator: ", ")) failed (the reasons are above), so \(fixesFailed.count == 1 ? "it measured" : "they measured") nothing to check a prediction against")
                throw ExitCode(Exit.failure)
            }
            try checkSomethingDiagnosed(measured, source: from ?? self.scenario ?? "")
        }

        /// A run in which no case has figures diagnosed nothing, and says so with a failing
        /// status, by `run`'s rule (a results file whose cases all failed exited 0): 1 when a
        /// case failed, 2 when every case was skipped (nothing was measured). A run with one
        /// case measured is diagnosed, its failed cases named "not diagnosed" above.
        private func checkSomethingDiagnosed(_ measured: RunDocument, source: String) throws {
            guard !measured.cases.contains(where: { $0.skipped == nil && $0.messages > 0 }) else { return }
            let skipped = measured.cases.filter { $0.skipped != nil }.count
            let failed = measured.cases.count - skipped
            let what = measured.cases.isEmpty ? "it has no cases"
                : (failed == 0 ? "every case was skipped" : skipped == 0 ? "every case failed" : "\(failed) failed, \(skipped) skipped") + " (the reasons are above)"
            throw fail("no case in \(source) has figures to diagnose: \(what)", code: failed > 0 ? Exit.failure : Exit.badInput)
        }

        /// Runs every quantified fix beside its case again, with the run's trials (--repeat, or
        /// the results file's own), and records predicted against measured. `driving` gives the
        /// session (the run's, or a new one with --from), only when there is something to run.
        /// Also returns the cases it ran that failed.
        private func verified(_ document: RunDocument, measured: RunDocument, driving: () throws -> DriverSession) throws -> (RunDocument, [String]) {
            // With --from, --case picks the cases whose fixes run (a run's --case picked the
            // cases measured, and so already these).
            let only = from != nil && !driver.cases.isEmpty ? driver.cases : nil
            guard let fixes = DiagnosisVerification.scenario(for: document, only: only) else {
                printError("vsockbench: " + DiagnosisVerification.nothingToVerify(document, only: only))
                return (document, [])
            }
            let session = try driving()
            var plan = DriverSession.plan(driver)
            plan.repeatCount = trialsToVerify(measured)
            let fixed = fixes.cases.map(\.name).filter { !$0.hasSuffix(DiagnosisVerification.againSuffix) }
            printError("vsockbench: verifying \(fixed.count) fix\(fixed.count == 1 ? "" : "es"), each beside its case run again: \(fixed.joined(separator: ", "))")
            let results = session.run(try driver.applyOverrides(to: fixes), plan: plan)
            // Fixes cut short measure nothing to hold a prediction against: those that finished
            // are reported (they were dropped too, review), the others named, and the
            // interrupt's status ends the command.
            let interrupted = session.runner.wasInterrupted
            if interrupted {
                let finished = DiagnosisVerification.finished(results)
                let stopped = fixed.filter { !finished.contains($0) }
                printError("vsockbench: interrupted while verifying: " + (stopped.count == fixed.count ? "no fix finished, so the diagnosis below is reported without its fixes' measurements"
                    : "the fixes that finished are reported; not measured: \(stopped.map { Terminal.safe($0) }.joined(separator: ", "))"))
            }
            // With --from, the fixes may run elsewhere than the results were measured: then
            // "drift" is the two setups' difference too, and the reader is told which, in the
            // report as well (text, JSON `setup_differences`, HTML; only stderr said it, review).
            var differences: [String] = []
            if let from {
                differences = DiagnosisVerification.setupDifferences(measured: measured, fixed: results)
                if !differences.isEmpty {
                    printError("vsockbench: the fixes ran in another setup than \(from) was measured in (\(differences.joined(separator: "; "))): each case run again measures that difference as well as the machine's drift")
                }
            }
            return (DiagnosisVerification.apply(results, to: document, only: only, setupDifferences: differences, interrupted: interrupted),
                    interrupted ? [] : DiagnosisVerification.failedCases(results))
        }

        /// The trials of each case `--verify` runs: --repeat's, or with --from and no --repeat,
        /// the results file's own.
        private func trialsToVerify(_ measured: RunDocument) -> Int {
            from != nil && driver.repeatCount == 1 ? measured.statistics?.repeatCount ?? 1 : driver.repeatCount
        }

        /// A sweep's fit describes its own workload's cases only: refused (exit 2, before
        /// anything runs) when it describes none of `cases`, and the others named.
        private func checkSweep(_ workload: SweepWorkload?, against cases: [(name: String, kind: WorkloadKind)]) throws {
            guard let workload, let sweep else { return }
            let others: [String]
            do throws(SweepError) { others = try workload.casesNotDescribed(cases, sweep: sweep) } catch { throw fail(error.description, code: Exit.badInput) }
            if !others.isEmpty {
                printError("vsockbench: the \(workload.rawValue) sweep in \(sweep) describes \(workload.rawValue) cases only; diagnosed from the run alone: \(others.joined(separator: ", "))")
            }
        }

        /// A `--sweep` file's bytes; a file that cannot be read is said as `--from`'s is (the
        /// reason, not Foundation's error dump).
        private func readBytes(_ path: String) throws -> [UInt8] {
            let limit = 64 << 20
            let bytes: [UInt8]
            do { bytes = try FileContents.read(path: path, limit: limit + 1) } catch {
                throw fail("cannot read \(Terminal.safe(path)): \(error.reason)", code: Exit.badInput)
            }
            if bytes.count > limit { throw fail("\(Terminal.safe(path)): larger than 64 MiB; not a sweep's results", code: Exit.badInput) }
            return bytes
        }
    }
}
