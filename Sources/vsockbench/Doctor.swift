import ArgumentParser
import VsockBenchReport
import VsockBenchDoctor

extension VsockBench {
    /// `vsockbench doctor`: what this machine offers before anything is measured.
    struct Doctor: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "doctor",
            abstract: "Say what this machine offers for vsock measurements, and what to do about what is missing.",
            discussion: """
                One screen, a line per fact with a mark (ok, warn, missing) and, under anything not \
                ok, what to do: AF_VSOCK and the local CID, the vsock transports and loopback (CID 1), \
                whether this is a Nitro parent and which enclaves run, the kernel release and what it \
                implies for credit updates, socket buffer defaults, BPF readiness and which probe \
                programs would attach, and whether /dev/kvm is usable.

                It connects to nothing: AF_VSOCK is tested by creating a socket and closing it, the \
                local CID is read with an ioctl on /dev/vsock. It exits 0 whatever it finds (2 on \
                bad flags or a --json path that cannot be written, said before anything is \
                gathered; 1 when writing the JSON fails); scripts read --json.

                Examples:
                  vsockbench doctor
                  vsockbench doctor --json doctor.json
                  vsockbench doctor --json -        (the JSON on stdout, no screen)
                """)

        @Option(name: .long, help: ArgumentHelp(
            "Also write the facts as JSON (schema vsockbench-doctor/2) to this file; - for stdout instead of the screen.",
            valueName: "file"))
        var json: String?

        func validate() throws {
            if json?.isEmpty == true { throw ValidationError(emptyPathProblem("--json")) }
        }

        func run() throws {
            // A path that cannot be written is a bad flag (exit 2), said before the facts are gathered.
            let output = JSONOutput(path: json)
            try checkWritable(("--json", output.file))
            let report = DoctorReport.gather()
            // Doctor's `--json -` is the JSON alone: the screen is not printed at all.
            if !output.toStandardOutput { print(DoctorScreen.render(report), terminator: "") }
            try output.write(report.encoded())
        }
    }
}
