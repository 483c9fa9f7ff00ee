import Foundation
import Testing

@testable import VsockBenchReport

/// The report in a real browser: headless Chromium renders it to a PNG (of the expected size)
/// and dumps the DOM it built, and its log must hold no console message.
@Suite(.serialized) struct HTMLReportBrowserTests {
    static let chromium: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Kept after the run (one fixed directory) so a person can look at the PNG.
    static let directory = FileManager.default.temporaryDirectory.appending(path: "vsockbench-report-browser-test")

    struct Rendered {
        var png: [UInt8]
        var dom: String
        var log: String
    }

    static func render(_ html: String, name: String) throws -> Rendered {
        let chromium = try #require(chromium)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let page = directory.appending(path: "\(name).html")
        let png = directory.appending(path: "\(name).png")
        try? FileManager.default.removeItem(at: png)
        try html.write(to: page, atomically: true, encoding: .utf8)
        // A profile of its own per render: tests run concurrently, and Chromium refuses a
        // profile another instance holds (SingletonLock).
        let profile = FileManager.default.temporaryDirectory.appending(path: "vsockbench-chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        let common = ["--headless", "--disable-gpu", "--no-sandbox", "--hide-scrollbars", "--user-data-dir=\(profile.path)"]
        let shot = try run(chromium, common + ["--enable-logging=stderr", "--v=0", "--screenshot=\(png.path)", "--window-size=1280,2000", page.absoluteString])
        #expect(shot.status == 0, "chromium --screenshot failed: \(shot.stderr)")
        let dom = try run(chromium, common + ["--dump-dom", page.absoluteString])
        #expect(dom.status == 0, "chromium --dump-dom failed: \(dom.stderr)")
        let bytes = (try? Data(contentsOf: png)).map(Array.init) ?? []
        return Rendered(png: bytes, dom: dom.stdout, log: shot.stderr)
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes while it runs: a full pipe would block chromium.
        let errData = LockedBox<Data>(Data())
        let reader = Thread { errData.set(err.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errData.isSet { usleep(10_000) }
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: errData.value, as: UTF8.self))
    }

    /// Width and height from a PNG's IHDR chunk (bytes 16-23, big-endian), after checking the signature.
    static func pngSize(_ bytes: [UInt8]) -> (width: Int, height: Int)? {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard bytes.count > 24, Array(bytes[0..<8]) == signature, Array(bytes[12..<16]) == Array("IHDR".utf8) else { return nil }
        func be32(_ at: Int) -> Int { bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (be32(16), be32(20))
    }

    @Test(
        "the full report renders to a 1280x2000 PNG, builds every section and logs no console message",
        .enabled(if: chromium != nil, "needs Chromium (Debian: apt-get install chromium); CI installs it"))
    func fullReport() throws {
        let html = HTMLReport.render(ReportFixtures.everything(), sweep: ReportFixtures.sweep(), title: "vsockbench: browser test")
        let rendered = try Self.render(html, name: "full")
        #expect(rendered.png.count > 10_000, "PNG is \(rendered.png.count) bytes")
        let size = try #require(Self.pngSize(rendered.png), "not a PNG")
        #expect(size.width == 1280 && size.height == 2000)
        let consoleLines = rendered.log.split(separator: "\n").filter { $0.contains(":CONSOLE") || $0.contains("Uncaught") }
        #expect(consoleLines.isEmpty, "console: \(consoleLines)")
        for id in ["problems", "diagnosis", "throughput", "costs", "latency", "sweep", "host", "numbers"] {
            #expect(rendered.dom.contains("<section id=\"\(id)\""), "section \(id) missing from the DOM")
        }
        // The parsed DOM keeps the hostile case name as text: no element was injected.
        #expect(!rendered.dom.contains("<script>alert"))
        #expect(rendered.dom.contains("&lt;script&gt;alert"))
        // Throughput, two cost grids, latency, two sweep panels.
        #expect(rendered.dom.components(separatedBy: "<svg").count - 1 == 6)
    }

    @Test(
        "a plain run (no probe, no verdicts, no sweep) renders too",
        .enabled(if: chromium != nil, "needs Chromium (Debian: apt-get install chromium); CI installs it"))
    func plainReport() throws {
        let rendered = try Self.render(HTMLReport.render(ReportFixtures.cliff()), name: "plain")
        #expect(Self.pngSize(rendered.png).map { $0.width == 1280 && $0.height == 2000 } == true)
        #expect(!rendered.log.contains(":CONSOLE"))
        #expect(rendered.dom.contains("ceiling: bulk 9500 Mbps"))
    }
}

/// A value set once from another thread.
final class LockedBox<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    private var done = false

    init(_ value: Value) { stored = value }

    func set(_ value: Value) {
        lock.lock()
        stored = value
        done = true
        lock.unlock()
    }

    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return done
    }

    var value: Value {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}
