import Foundation
import Testing
import VsockBenchSupport
import VsockTransport

/// `vsockbench serve`'s flags, help, warnings and exit statuses, as a user meets them.
@Suite struct ServeCommandTests {
    @Test func helpNamesEverySignalAndTheExitStatuses() throws {
        let help = try Tool.run(["serve", "--help"])
        #expect(help.status == 0)
        let text = help.stdout.replacingOccurrences(of: "\n", with: " ").split(separator: " ").joined(separator: " ")
        #expect(text.contains("SIGINT, SIGTERM or SIGHUP stop it cleanly"), "\(help.stdout)")
        #expect(text.contains("Exit status: 0 when a signal stopped it; 1 when it cannot listen"), "\(help.stdout)")
        #expect(text.contains("2 for a bad flag or endpoint"), "\(help.stdout)")
        #expect(text.contains("1KiB to 64MiB"), "\(help.stdout)")
        #expect(text.contains("trace, debug, info, notice, warning, error or critical"), "\(help.stdout)")
    }

    /// What the help says of the statuses, each checked: a signal (SIGHUP too) is 0, a path
    /// it cannot listen on 1, a bad flag 2.
    @Test func theExitStatusesAreTheHelpsWord() throws {
        let dir = try Tool.scratch()
        let server = try ServeProcess(listen: "unix://\(dir)/t.sock", extra: ["--log-level", "info"])
        let (status, log) = server.stop(signal: SIGHUP)
        #expect(status == 0, "\(log)")
        #expect(log.contains("signal=1"), "\(log)")
        try Tool.write("not a socket", to: dir + "/file")
        let file = try Tool.run(["serve", "--listen", "unix://\(dir)/file"], timeout: 20)
        #expect(file.status == 1)
        #expect(file.stderr.contains("\(dir)/file exists and is not a socket (it is a regular file)"), "\(file.stderr)")
        let bad = try Tool.run(["serve", "--listen", "unix://\(dir)/t.sock", "--max-connections", "0"], timeout: 20)
        #expect(bad.status == 2, "\(bad.stderr)")
    }

    @Test("bad values get the parser's form and the allowed values", arguments: [
        (["--mode", "bogus"], "The value 'bogus' is invalid for '--mode <echo|agent>': use echo or agent"),
        (["--log-level", "loud"], "The value 'loud' is invalid for '--log-level <level>': use trace, debug, info, notice, warning, error or critical"),
        (["--max-frame", "10GiB"], "The value '10GiB' is invalid for '--max-frame <bytes>': 10GiB is outside 1KiB to 64MiB"),
    ])
    func badValues(flags: [String], expected: String) throws {
        let dir = try Tool.scratch()
        let run = try Tool.run(["serve", "--listen", "unix://\(dir)/t.sock"] + flags, timeout: 20)
        #expect(run.status == 2)
        #expect(run.stderr.contains(expected), "\(run.stderr)")
    }

    @Test func vsockOnlyFlagsOnUnixAreSaidToBeIgnored() throws {
        let dir = try Tool.scratch()
        let server = try ServeProcess(listen: "unix://\(dir)/t.sock", extra: ["--vsock-buffer-size", "1000", "--allow-cid", "3"])
        let (_, log) = server.stop()
        #expect(log.contains("--vsock-buffer-size applies to vsock listeners only; it is ignored on unix"), "\(log)")
        #expect(log.contains("--allow-cid applies to vsock listeners only; it is ignored on unix"), "\(log)")
    }

    /// A buffer above net.core.rmem_max/wmem_max is capped by the kernel without a word (it
    /// takes the limit and doubles it): the log says so, and says nothing for one within it.
    @Test(.enabled(if: Int(((try? String(contentsOfFile: "/proc/sys/net/core/rmem_max", encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)) != nil,
                   "needs /proc/sys/net/core/rmem_max"))
    func aBufferAboveTheKernelsLimitIsSaidToBeCapped() throws {
        func limit(_ name: String) throws -> Int {
            try #require(Int(try String(contentsOfFile: "/proc/sys/net/core/\(name)", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        let rmem = try limit("rmem_max"), wmem = try limit("wmem_max")
        let dir = try Tool.scratch()
        let over = try ServeProcess(listen: "unix://\(dir)/t.sock", extra: ["--rcvbuf", String(rmem + 1), "--sndbuf", String(wmem / 2)])
        let (_, log) = over.stop()
        #expect(log.contains("--rcvbuf \(Quantities.formatSize(rmem + 1)) is above net.core.rmem_max (\(Quantities.formatSize(rmem))): the kernel caps it there"), "\(log)")
        #expect(log.contains("each connection gets \(Quantities.formatSize(2 * rmem))"), "\(log)")
        #expect(!log.contains("--sndbuf"), "within wmem_max: nothing to say\n\(log)")
    }

    /// Below the default --max-connections' worth of descriptors, the warning says the number
    /// is the default (the user typed none), and the start line the limit in force.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/prlimit"), "needs prlimit (util-linux)"))
    func theDefaultConnectionLimitIsSaidToBeTheDefault() throws {
        let dir = try Tool.scratch()
        let server = try ServeProcess(listen: "unix://\(dir)/t.sock", extra: ["--log-level", "info"], prefix: ["/usr/bin/prlimit", "--nofile=64:64"])
        let (_, log) = server.stop()
        #expect(log.contains("--max-connections' default of 1025 is more than the open-file limit allows: serving at most 32 connections at once"), "\(log)")
        #expect(log.contains("max_connections=32"), "\(log)")
        #expect(log.contains("max_memory=\(512 << 20)"), "\(log)")
    }
}
