import Foundation
import Testing

/// The end-to-end suites, one at a time: each starts a local target and measures, and two
/// measuring at once on two cores would disturb each other's figures.
@Suite(.serialized) struct EndToEndSuite {}

/// Runs the built `vsockbench` and collects what it printed.
enum CommandSupport {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The directory of the test binary, where SwiftPM also puts `vsockbench`.
    static let productsDirectory: String = {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        return URL(fileURLWithPath: exe).deletingLastPathComponent().path
    }()

    /// The package root, for `scenarios/`.
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func vsockbench(_ arguments: [String]) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "\(productsDirectory)/vsockbench")
        process.arguments = arguments
        process.currentDirectoryURL = packageRoot
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // stderr is small (one error line); stdout is read to the end first.
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// A fresh directory for one test's files, under `Tool.scratchRoot` (removed when the test
    /// process exits).
    static func scratch(_ name: String) throws -> URL {
        let url = URL(fileURLWithPath: Tool.scratchRoot).appending(path: "vsockbench-e2e-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func jsonObject(_ url: URL) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }
}
