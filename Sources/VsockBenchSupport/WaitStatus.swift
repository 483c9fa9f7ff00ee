/// A `waitpid` status as a shell reports it.
public enum WaitStatus {
    /// The exit code (0-255), or 128 + the signal that ended the process (143 for SIGTERM).
    /// `waitpid`'s raw status is neither: exit code 1 is 256.
    public static func shellStatus(_ raw: Int32) -> Int32 {
        let signal = raw & 0x7f
        return signal == 0 ? (raw >> 8) & 0xff : 128 + signal
    }

    /// "exit status 1", or "killed by signal 9 (exit status 137)".
    public static func text(_ raw: Int32) -> String {
        let signal = raw & 0x7f
        return signal == 0 ? "exit status \((raw >> 8) & 0xff)" : "killed by signal \(signal) (exit status \(128 + signal))"
    }
}
