import SystemPackage

/// Unbuffered writes to stderr (file descriptor 2) from any thread.
public enum StandardError {
    public static func write(_ text: String) { writeAll(.standardError, text) }
}

/// Unbuffered lines on stdout, for output a parent process waits for.
public enum StandardOutput {
    public static func writeLine(_ text: String) { writeAll(.standardOutput, text + "\n") }
}

/// Best effort: a closed or full stream has no one left to tell.
private func writeAll(_ descriptor: FileDescriptor, _ text: String) {
    var text = text
    text.withUTF8 { bytes in
        try? Posix.writeAll(descriptor, UnsafeRawBufferPointer(bytes))
    }
}
