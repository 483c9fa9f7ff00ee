#if canImport(Glibc)
import Glibc
#endif

/// Unbuffered writes to stderr (file descriptor 2) from any thread.
public enum StandardError {
    public static func write(_ text: String) { writeAllBytes(STDERR_FILENO, text) }
}

/// Unbuffered lines on stdout, for output a parent process waits for.
public enum StandardOutput {
    public static func writeLine(_ text: String) { writeAllBytes(STDOUT_FILENO, text + "\n") }
}

private func writeAllBytes(_ fd: Int32, _ text: String) {
    var text = text
    text.withUTF8 { bytes in
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0, errno == EINTR { continue }
            if n <= 0 { return }
            offset += n
        }
    }
}
