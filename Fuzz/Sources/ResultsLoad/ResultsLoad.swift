import FuzzSupport
import VsockBenchReport

/// The results-file loader behind `check`, `diagnose --from` and `history add`
/// (`RunDocumentFile.parse`), and what those commands compute from a file it accepts.
///
/// Input: the file's bytes.
///
/// Checks: the loader returns a document or throws a `CheckInputError` whose text is not
/// empty; for a document it accepts, the run's table, the diagnosis (text and JSON), the fixes
/// `--verify` would run, the HTML report and a check of the document against itself (text,
/// markdown, JUnit) do not trap; and the document written back is accepted again. A hand-edited
/// `writes_per_msg: 9.3e18` had reached `Int(...)` in the diagnosis (SIGILL, no message).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzResultsLoad(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: data.map(UnsafeRawPointer.init), count: data == nil ? 0 : size))
    let document: RunDocument
    do throws(CheckInputError) {
        document = try RunDocumentFile.parse(bytes, path: "fuzz.json")
    } catch {
        fuzzCheck(!error.description.isEmpty, "a refusal without a reason")
        return 0
    }
    _ = RunTable.render(document)
    let diagnosed = Diagnoser.diagnose(document)
    _ = Diagnoser.render(diagnosed)
    _ = DiagnosisVerification.fixedCases(diagnosed)
    _ = HTMLReport.render(diagnosed)
    if let report = try? RegressionCheck.compare(results: [document], baseline: [document]) {
        _ = report.renderText()
        _ = CheckMarkdown.render(report)
        _ = JUnitReport.render(report)
    }
    for written in [document.encoded(), diagnosed.encoded()] {
        do throws(CheckInputError) {
            _ = try RunDocumentFile.parse(written, path: "written.json")
        } catch {
            fuzzCheck(false, "a document the loader accepted, written back, is refused: \(error)")
        }
    }
    return 0
}
