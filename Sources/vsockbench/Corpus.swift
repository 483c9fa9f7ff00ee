#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import VsockBenchAgent
import VsockBenchModel
import VsockBenchSupport
import VsockTransport
import VsockWire

extension VsockBench {
    struct Corpus: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build or inspect a corpus of messages for a `replay` case.",
            discussion: """
            A corpus is one file of messages in your service's framing, sent in order (and \
            looped) by `{workload: replay, framing: F, corpus: FILE}`. Build one from a \
            directory of one-message files (sorted by name, byte by byte: 10 comes before 2, so \
            zero-pad numbers; each file's bytes are one message's payload), or generate one with the masked agent's protobuf query fragments for a \
            quick start; --inspect checks a corpus and prints its size distribution.

            The messages are your data: vsockbench never logs, prints or copies their bytes \
            elsewhere; errors name offsets and sizes only.

            Exit status: 0 when the corpus was written (or inspected); 1 when writing it \
            failed; 2 for bad input, found before anything is written (a framing, a --from \
            file that cannot be read, an output in a directory that does not exist or cannot \
            be written, an existing output without --force, a corpus that does not read in \
            its framing).

            Examples:
              vsockbench corpus requests.u32be --framing u32be --from captured/
              vsockbench corpus synthetic.varint --framing varint --generate 1000 --size \\
                  8KiB
              vsockbench corpus synthetic.u32be --framing u32be --generate 500 \\
                  --size-median 8KiB --size-sigma 0.6
              vsockbench corpus --inspect requests.u32be --framing u32be
            """)

        @Argument(help: ArgumentHelp("The corpus file to write (or, with --inspect, nothing).", valueName: "out"))
        var output: String?

        @Option(name: .long, help: ArgumentHelp("u32be, u32le, u16be, varint or line.", valueName: "framing"))
        var framing: String

        @Option(name: .long, help: ArgumentHelp("A directory of one-message files, taken in byte order of their names (1, 10, 11, 2: zero-pad numbers, 01, 02, ...): every regular file, hidden ones, empty ones and links included (all three are said); a broken link is refused.", valueName: "dir"))
        var from: String?

        @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Generate this many masked-agent query fragments.", valueName: "count"), transform: OptionValue.count)
        var generate: Int?

        @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("With --generate: messages of about this size, 512B to 4MiB (default 8KiB): protobuf query fragments, as the masked workload sends, whose encoding lands near the size asked, not on it, closer the larger it is (asked 512B: 433B to 654B; 8KiB: 7.9KiB to 8.1KiB); the summary line gives the real sizes. For exact sizes, build the corpus --from files.", valueName: "size"),
                transform: ByteCount.parsePositive)
        var size: ByteCount?

        @Option(name: .customLong("size-median"), parsing: .unconditional, help: ArgumentHelp("With --generate: lognormal sizes (512B to 4MiB) of this median...", valueName: "size"),
                transform: ByteCount.parsePositive)
        var sizeMedian: ByteCount?

        @Option(name: .customLong("size-sigma"), parsing: .unconditional, help: ArgumentHelp("...and this sigma (0 to 3; default 0.6).", valueName: "sigma"), transform: OptionValue.number)
        var sizeSigma: Double?

        @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("With --generate: the generator's seed (default 1).", valueName: "n"), transform: OptionValue.nonNegative)
        var seed: UInt64?

        @Option(name: .long, help: ArgumentHelp("Check this corpus and print its messages' sizes.", valueName: "file"))
        var inspect: String?

        @Flag(name: .long, help: "Replace the output file if it exists (without it, an existing file is refused, exit 2: a corpus may hold the only copy of captured messages).")
        var force = false

        /// Flags that would be ignored are refused (one line, exit 2): one way to size the
        /// generated messages, and the sizes and the seed only for --generate.
        func validate() throws {
            if size != nil, sizeMedian != nil {
                throw ValidationError("--size and --size-median: choose one (--size for messages of one size, --size-median with --size-sigma for lognormal sizes)")
            }
            if sizeSigma != nil, sizeMedian == nil {
                throw ValidationError("--size-sigma needs --size-median: the sigma is of lognormal sizes around that median (--size gives messages of one size)")
            }
            let sizing = [size.map { _ in "--size" }, sizeMedian.map { _ in "--size-median" }, sizeSigma.map { _ in "--size-sigma" }].compactMap { $0 }
            if generate == nil, let flag = sizing.first {
                throw ValidationError("\(flag) sizes generated messages: give it with --generate N, or leave it out")
            }
            if generate == nil, seed != nil {
                throw ValidationError("--seed seeds the generated messages: give it with --generate N, or leave it out")
            }
        }

        func run() throws {
            guard let framing = MessageFraming(rawValue: self.framing) else {
                throw fail("--framing must be one of \(MessageFraming.allCases.map(\.rawValue).joined(separator: ", ")), not '\(self.framing)'", code: Exit.badInput)
            }
            if let inspect {
                guard output == nil, from == nil, generate == nil else { throw fail("--inspect reads a corpus; it takes no output file, --from or --generate", code: Exit.badInput) }
                return try self.inspect(inspect, framing: framing)
            }
            guard let output else { throw fail("give the corpus file to write (or --inspect FILE)", code: Exit.badInput) }
            guard (from == nil) != (generate == nil) else { throw fail("give one of --from DIR or --generate N", code: Exit.badInput) }
            try checkWritable(("the output", output))
            var existing = stat()
            // lstat: a link at the path, even one to nothing, is something a write would go through.
            if !force, lstat(output, &existing) == 0 {
                throw fail("\(output) exists: give --force to replace it, or another file name", code: Exit.badInput)
            }
            let payloads = try from.map { try fromDirectory($0, framing: framing, output: output) } ?? generated(framing: framing)
            var bytes: [UInt8] = []
            for payload in payloads { framing.encode(payload, into: &bytes) }
            guard bytes.count <= ReplayCorpus.maximumBytes else {
                throw fail("the corpus would have \(Quantities.formatSize(bytes.count)); a corpus is at most \(Quantities.formatSize(ReplayCorpus.maximumBytes))", code: Exit.badInput)
            }
            // The messages are the user's data: a new corpus is readable by its owner alone (a
            // corpus rewritten keeps the permissions it had).
            try writeFile(output, bytes, mode: 0o600)
            let sizes = payloads.map(\.count)
            print("wrote \(output): \(payloads.count) \(framing.rawValue) message\(payloads.count == 1 ? "" : "s"), \(Self.describe(sizes))")
        }

        /// One message per regular file of `path`, in name order; `output`, the corpus being
        /// written, is left out when it is one of them (a corpus rebuilt in its own directory
        /// took the previous corpus in as a message).
        private func fromDirectory(_ path: String, framing: MessageFraming, output: String) throws -> [[UInt8]] {
            var outputInfo = stat()
            // lstat: the write replaces a link at the output's path, not the file it points
            // to, so a link to one of the directory's files leaves that file a message (with
            // stat, the file was left out and the note said the corpus was in the directory).
            let outputExists = lstat(output, &outputInfo) == 0
            var leftOutOutput = false
            guard let dir = opendir(path) else { throw fail("--from \(path): cannot open the directory: \(String(cString: strerror(errno)))", code: Exit.badInput) }
            var names: [String] = []
            var undecodable = 0
            while let entry = readdir(dir) {
                let raw = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
                // A name that is not UTF-8 could not be opened again from a String: say so, never skip it.
                guard let name = String(validating: raw, as: UTF8.self) else {
                    undecodable += 1
                    continue
                }
                if name != ".", name != ".." { names.append(name) }
            }
            closedir(dir)
            guard undecodable == 0 else {
                throw fail("--from \(path): \(undecodable) file name\(undecodable == 1 ? " is" : "s are") not UTF-8; rename \(undecodable == 1 ? "it" : "them") (the corpus takes every file, in name order)", code: Exit.badInput)
            }
            var payloads: [[UInt8]] = []
            var total = 0
            var skipped = 0
            var hidden = 0
            var links = 0
            var empty = 0
            // Name order is byte order (as `ls` sorts with LC_ALL=C), whatever the names' Unicode.
            for name in names.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                let file = path.hasSuffix("/") ? path + name : path + "/" + name
                var info = stat()
                guard stat(file, &info) == 0 else {
                    let why = errno
                    // A link that leads nowhere is named as one (it said "cannot read d: No
                    // such file or directory" of a name `ls` lists): still refused, since a
                    // link is taken in as its file and this one has none.
                    var link = stat()
                    if lstat(file, &link) == 0, link.st_mode & S_IFMT == S_IFLNK {
                        let what = why == ENOENT ? "what it points to does not exist" : String(cString: strerror(why))
                        throw fail("--from: \(Terminal.safe(name)) is a broken symbolic link (\(what)): remove it or point it at a file", code: Exit.badInput)
                    }
                    throw fail("--from: cannot read \(Terminal.safe(name)): \(String(cString: strerror(why)))", code: Exit.badInput)
                }
                guard info.st_mode & S_IFMT == S_IFREG else {
                    skipped += 1
                    continue
                }
                var own = stat()
                let ownRead = lstat(file, &own) == 0
                // The entry that the write replaces: the output's own path (a link there is
                // replaced, not followed: its target stays a message), or, where the output is
                // a file, any entry that resolves to it (it would read the old corpus).
                func same(_ a: stat, _ b: stat) -> Bool { a.st_dev == b.st_dev && a.st_ino == b.st_ino }
                let outputIsLink = outputInfo.st_mode & S_IFMT == S_IFLNK
                if outputExists, (ownRead && same(own, outputInfo)) || (!outputIsLink && same(info, outputInfo)) {
                    leftOutOutput = true
                    continue
                }
                if name.hasPrefix(".") { hidden += 1 }
                if ownRead, own.st_mode & S_IFMT == S_IFLNK { links += 1 }
                let limit = min(framing.maxPayload, CaseSpec.maxBuffer)
                // The framing's own limit (u16be), or vsockbench's: a u32be length carries up
                // to 4GiB, but no message vsockbench sends is over 64MiB (it said "a u32be
                // message is at most 67108864").
                let whyLimit = framing.maxPayload < CaseSpec.maxBuffer
                    ? "a \(framing.rawValue) message carries at most \(framing.maxPayload) bytes"
                    : "vsockbench sends messages of at most \(Quantities.formatSize(CaseSpec.maxBuffer)) (its own limit, not the framing's)"
                guard Int(info.st_size) <= limit else {
                    throw fail("--from: \(Terminal.safe(name)) has \(info.st_size) bytes; \(whyLimit)", code: Exit.badInput)
                }
                let bytes: [UInt8]
                do { bytes = try FileContents.read(path: file, limit: limit + 1) } catch { throw fail("--from: cannot read \(Terminal.safe(name)): \(error.reason)", code: Exit.badInput) }
                guard bytes.count <= limit else {
                    throw fail("--from: \(Terminal.safe(name)) grew to more than \(limit) bytes while it was read; \(whyLimit)", code: Exit.badInput)
                }
                if framing == .line, bytes.contains(0x0A) {
                    throw fail("--from: \(Terminal.safe(name)) holds a newline; line framing cannot carry it (use a length-prefixed framing)", code: Exit.badInput)
                }
                if bytes.isEmpty { empty += 1 }
                total += bytes.count
                guard total <= ReplayCorpus.maximumBytes else { throw fail("--from: more than \(Quantities.formatSize(ReplayCorpus.maximumBytes)) of messages", code: Exit.badInput) }
                // What `run` and --inspect would refuse is not written (review).
                guard payloads.count < ReplayCorpus.maximumMessages else {
                    throw fail("--from: more than \(ReplayCorpus.maximumMessages) files; a corpus is at most \(ReplayCorpus.maximumMessages) messages (each is indexed in memory)", code: Exit.badInput)
                }
                payloads.append(bytes)
            }
            guard !payloads.isEmpty else { throw fail("--from \(path): no regular files in it\(leftOutOutput ? " but the corpus being written" : "")", code: Exit.badInput) }
            if leftOutOutput { printError("vsockbench: corpus: --from \(path): \(output), the corpus being written, is in it: left out") }
            if skipped > 0 { printError("vsockbench: corpus: --from \(path): \(skipped) entr\(skipped == 1 ? "y is" : "ies are") not a regular file (a directory, a device...): left out") }
            // Taken in, but perhaps not what was meant: said, so nothing joins the corpus unseen.
            if hidden > 0 { printError("vsockbench: corpus: --from \(path): \(hidden) hidden file\(hidden == 1 ? "" : "s") (a name starting with a dot) taken in as message\(hidden == 1 ? "" : "s")") }
            if empty > 0 { printError("vsockbench: corpus: --from \(path): \(empty) empty file\(empty == 1 ? "" : "s") taken in as \(empty == 1 ? "an empty message" : "empty messages") (0 bytes; a seqpacket replay refuses a corpus holding one)") }
            if links > 0 { printError("vsockbench: corpus: --from \(path): \(links) symbolic link\(links == 1 ? "" : "s") followed: the message\(links == 1 ? " is its file's" : "s are their files'") bytes") }
            return payloads
        }

        /// `--generate N`: the masked agent's query fragments (protobuf), seeded.
        private func generated(framing: MessageFraming) throws -> [[UInt8]] {
            guard let count = generate, (1...1_000_000).contains(count) else { throw fail("--generate takes 1 to 1000000 messages", code: Exit.badInput) }
            let sizes: SizeSpec
            if let median = sizeMedian {
                let sigma = sizeSigma ?? 0.6
                guard (0...3).contains(sigma) else { throw fail("--size-sigma must be in 0...3", code: Exit.badInput) }
                sizes = .lognormal(median: median.bytes, sigma: sigma)
            } else {
                sizes = .fixed(size?.bytes ?? 8192)
            }
            guard SizeDistribution.bounds.contains(sizes.upperBound), SizeDistribution.bounds.contains(size?.bytes ?? sizeMedian?.bytes ?? 8192) else {
                throw fail("generated fragments are \(Quantities.formatSize(SizeDistribution.bounds.lowerBound)) to \(Quantities.formatSize(SizeDistribution.bounds.upperBound))", code: Exit.badInput)
            }
            if case let .fixed(bytes) = sizes, bytes > framing.maxPayload {
                throw fail("\(framing.rawValue) carries at most \(framing.maxPayload) bytes a message", code: Exit.badInput)
            }
            // Refused before anything is generated (review: 70 at 4MiB took 6.6 s and 822 MB to
            // be refused). A fragment lands within half a row of its size, and a row is a few
            // hundred bytes, so each message holds at least its size less 1KiB: the least the
            // corpus could have.
            if case let .fixed(bytes) = sizes {
                let least = Self.leastMessageBytes(asked: bytes)
                let atLeast = count * (framing.overhead(least) + least)
                guard atLeast <= ReplayCorpus.maximumBytes else {
                    throw fail("the corpus would have at least \(Quantities.formatSize(atLeast)) (\(count) messages of about \(Quantities.formatSize(bytes))); a corpus is at most \(Quantities.formatSize(ReplayCorpus.maximumBytes))", code: Exit.badInput)
                }
            }
            var generator = AgentRequestGenerator(seed: seed ?? 1, sizes: sizes.distribution)
            // Totalled as they are made: a lognormal's sizes are known only once drawn, and
            // `--generate 100 --size-median 4MiB` made 318MiB (863 MB of memory) before the
            // corpus was refused (review); a million would have run out of memory.
            var payloads: [[UInt8]] = []
            var total = 0
            for sequence in 0..<count {
                let payload = generator.makeRequest(sequence: UInt64(sequence)).bytes
                total += framing.overhead(payload.count) + payload.count
                guard total <= ReplayCorpus.maximumBytes else {
                    throw fail("the corpus would have more than \(Quantities.formatSize(ReplayCorpus.maximumBytes)) (\(Quantities.formatSize(total)) by message \(sequence + 1) of \(count)); a corpus is at most \(Quantities.formatSize(ReplayCorpus.maximumBytes)): fewer messages or a smaller --size-median", code: Exit.badInput)
                }
                payloads.append(payload)
            }
            // A lognormal's tail is unbounded below the distribution's cap: what was drawn decides.
            if let largest = payloads.map(\.count).max(), largest > framing.maxPayload {
                let over = payloads.count { $0.count > framing.maxPayload }
                throw fail("\(over) of the \(count) generated messages are larger than the \(framing.maxPayload) bytes \(framing.rawValue) carries (the largest is \(largest)); use a smaller median or sigma, or another framing", code: Exit.badInput)
            }
            if framing == .line, payloads.contains(where: { $0.contains(0x0A) }) {
                throw fail("protobuf fragments contain newline bytes; line framing cannot carry them (use u32be, u32le, u16be or varint)", code: Exit.badInput)
            }
            return payloads
        }

        /// The fewest bytes a fragment generated at `asked` bytes holds: it stops within half a
        /// row of the size asked, and no row reaches 1KiB.
        static func leastMessageBytes(asked: Int) -> Int { max(asked - 1024, 0) }

        private func inspect(_ path: String, framing: MessageFraming) throws {
            let corpus: ReplayCorpus
            do throws(CorpusError) { corpus = try ReplayCorpus.load(path: path, framing: framing, limit: CaseSpec.maxBuffer) } catch { throw fail(error.description, code: Exit.badInput) }
            print("\(path): \(corpus.messages.count) \(framing.rawValue) message\(corpus.messages.count == 1 ? "" : "s"), \(Self.describe(corpus.payloads.map(\.count)))")
        }

        /// `1000 messages: payload 512 B to 64KiB, median 8KiB, 8.1 MiB in all`.
        static func describe(_ sizes: [Int]) -> String {
            guard !sizes.isEmpty else { return "no messages" }
            let sorted = sizes.sorted()
            let total = sorted.reduce(0, +)
            let half = sorted.count / 2
            let median = sorted.count % 2 == 1 ? sorted[half] : (sorted[half - 1] + sorted[half]) / 2
            return "payloads \(Quantities.formatSize(sorted[0])) to \(Quantities.formatSize(sorted[sorted.count - 1])), median \(Quantities.formatSize(median)), \(Quantities.formatSize(total)) in all"
        }
    }
}
