import VsockWire

/// The replay corpora a scenario's cases name, each (path, framing) read and split once per
/// load: a corpus shared through `defaults` was read again for every case (100 cases sharing a
/// 200 MB corpus took 32 s to load). Only what the loader checks is kept (the stats, or why the
/// corpus was refused), not the bytes: a run reads its corpus when it runs.
struct CorpusCache {
    private struct Key: Hashable {
        var path: String
        var framing: MessageFraming
    }

    private var known: [Key: Result<CorpusStats, CorpusError>] = [:]
    /// How many corpus files were read (for tests: one per path and framing).
    private(set) var reads = 0

    mutating func stats(path: String, framing: MessageFraming) -> Result<CorpusStats, CorpusError> {
        let key = Key(path: path, framing: framing)
        if let result = known[key] { return result }
        reads += 1
        let result: Result<CorpusStats, CorpusError>
        do throws(CorpusError) {
            result = .success(try ReplayCorpus.load(path: path, framing: framing, limit: CaseKeys.maxPayload).stats)
        } catch {
            result = .failure(error)
        }
        known[key] = result
        return result
    }
}
