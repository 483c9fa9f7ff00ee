import Foundation
import Testing

@testable import VsockProbe

extension HeldProcess {
    /// `sleep 30` with SIGTERM ignored (as a command slow to stop would), released, and
    /// returned once its shell has set the trap: the shell touches a marker file after it, and
    /// the wait is for that file, not a fixed sleep that a loaded machine can outrun (an
    /// ignored signal then stays ignored through the exec).
    static func ignoringSIGTERM() throws -> HeldProcess {
        let marker = "/tmp/vsockbench-stubborn-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        defer { unlink(marker) }
        let child = try HeldProcess(executable: "/bin/sh", arguments: ["-c", "trap '' TERM; : > \"$0\"; exec sleep 30", marker])
        try child.release()
        for _ in 0..<1000 where access(marker, F_OK) != 0 { usleep(10_000) }
        if access(marker, F_OK) != 0 {
            child.end(signal: SIGKILL, graceSeconds: 1)
            throw ProbeError(operation: "sh -c trap", errno: ETIMEDOUT, detail: "the shell did not set its trap within 10 s")
        }
        return child
    }
}
