#if canImport(Glibc)
import Glibc
#endif
import CFuzzSupport

/// Runs libFuzzer on the harness's `@_cdecl("LLVMFuzzerTestOneInput")` function.
///
/// SwiftPM gives every executable target a `main` of its own (renamed for testable executables
/// in debug builds), so libFuzzer's `main` is never the one that runs; each harness's
/// `main.swift` calls this instead, which hands the command line to `LLVMFuzzerRunDriver`: the
/// same flags, corpus directories and reproducer files as a plain libFuzzer binary.
public enum FuzzDriver {
    public static func run() -> Never {
        _ = fuzz_allocations_install()
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(fuzz_run_driver(&argc, &argv))
    }
}

/// Stops the fuzzer on a broken invariant: the message goes to stderr, then `abort()`, which
/// libFuzzer reports as a crash and saves the input as `crash-<sha1>`.
public func fuzzCheck(_ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) {
    if condition { return }
    let text = "FUZZ INVARIANT BROKEN (\(file):\(line)): \(message())\n"
    text.utf8CString.withUnsafeBufferPointer { bytes in
        _ = write(2, bytes.baseAddress, bytes.count - 1)
    }
    abort()
}
