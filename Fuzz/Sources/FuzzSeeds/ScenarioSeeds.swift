/// Seeds of ScenarioParse: the repository's scenario files, and small ones that reach the keys
/// and syntax the repository's files do not use.
enum ScenarioSeeds {
    static func write(to writer: SeedWriter, scenarios: String) throws {
        for file in try SeedWriter.files(in: scenarios, suffix: ".yaml") {
            try writer.write("ScenarioParse", String(file.dropLast(5)), try SeedWriter.read("\(scenarios)/\(file)"))
        }
        let extra: [(String, String)] = [
            ("every-key", """
                name: every-key
                description: one case per workload with every key set
                defaults: {duration: 2s, warmup: 0s, connections: 2, seed: 9}
                cases:
                  - {name: s, workload: stream, write_size: 1MiB, direction: both, verify: full, bytes: 1GiB, socket_buffer: 256KiB, sndbuf: 1MiB, rcvbuf: 1MiB, nodelay: false}
                  - {name: r, workload: rr, request_size: 0, response_size: 64MiB, inflight: 4096, messages: 1000, target_cost: 1ms, write_chunk: 1B, split_writes: true, strategy: {coalesce: {max_messages: 4096, max_bytes: 1B, linger: 1s}}}
                  - {name: m, workload: masked, request_size: {dist: uniform, min: 512B, max: 4MiB}, strategy: {writer_thread: {queue_depth: 1, max_bytes: 64MiB}}}
                  - {name: n, workload: masked, request_size: {dist: lognormal, median: 4MiB, sigma: 3}, strategy: {normalize: {size: 64B}}}
                  - {name: w, workload: rr, strategy: {writev: {max_messages: 1024}}}
                """),
            ("block-style", """
                # comments, block mappings, anchors and aliases
                name: block
                defaults: &d
                  duration: 100ms
                  warmup: 0s
                cases:
                  - name: a
                    workload: rr
                    strategy: {window: 8}
                  - &b
                    name: b
                    workload: stream
                  - {name: c, workload: masked, request_size: 8KiB}
                """),
            ("errors", """
                name: errors
                defaults: {duraton: 5s, name: x}
                cases:
                  - {name: a, workload: rr, request_size: -1, inflight: 0, strategy: {teleport: 1}}
                  - {name: a, workload: stream, write_size: 65MiB}
                  - {workload: masked, request_size: {dist: lognormal, median: 8KiB, sigma: 9}}
                  - [not, a, mapping]
                extra: 1
                """),
            // Replay and raw streams (peers that are not vsockbench): the corpus names a file of
            // the harness's scratch directory (ScenarioParse writes both).
            ("replay", """
                name: replay
                defaults: {duration: 1s, warmup: 0s}
                cases:
                  - {name: u, workload: replay, framing: u32be, corpus: messages.u32be, expect: echo, max_response: 64KiB, strategy: {window: 4}, inflight: 8}
                  - {name: l, workload: replay, framing: line, response_framing: varint, corpus: messages.line, expect: any}
                  - {name: missing, workload: replay, framing: u16be, corpus: nowhere.bin}
                  - {name: wrong, workload: replay, framing: u32le, corpus: messages.line}
                  - {name: raw, workload: stream, raw: true, direction: tx, interval: 100ms}
                """),
            // No corpus key here: ScenarioParse skips inputs holding both `corpus` and a slash.
            ("open-loop", """
                name: open-loop
                cases:
                  - {name: c, workload: rr, rate: 5000/s, interval: 100ms}
                  - {name: p, workload: masked, rate: {rate: 200/s, arrivals: poisson}}
                """),
            ("flow", #"{"name": "json-is-yaml", "cases": [{"name": "x", "workload": "rr", "duration": "1s"}]}"#),
            ("empty", ""),
        ]
        for (name, text) in extra {
            try writer.write("ScenarioParse", name, Array(text.utf8))
        }
    }
}
