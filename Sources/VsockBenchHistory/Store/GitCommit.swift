import Foundation

/// The commit of the working directory's repository, for `history add`: `git rev-parse HEAD`
/// in the current directory. Nil when git is not installed, the directory is not in a
/// repository, or git says anything but a commit id: a run outside a checkout has no commit,
/// which is not an error.
public enum GitCommit {
    public static func current(in directory: String? = nil, timeoutSeconds: Double = 5) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "rev-parse", "--verify", "--quiet", "HEAD"]
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return nil
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while process.isRunning, Date() < deadline { usleep(5_000) }
        if process.isRunning {
            process.terminate()
            return nil
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return isCommitID(text) ? text : nil
    }

    /// 40 (SHA-1) or 64 (SHA-256) lowercase hex digits.
    public static func isCommitID(_ text: String) -> Bool {
        (text.count == 40 || text.count == 64) && text.unicodeScalars.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) }
    }
}
