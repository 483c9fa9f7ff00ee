import Testing
@testable import VsockBenchModel

/// Socket settings that contradict each other are refused at their line (review: the last key
/// given won without a word, and a minimum above the maximum was taken).
@Suite struct ScenarioSocketTests {
    @Test func aMinimumAboveTheMaximumIsRefused() {
        #expect(ScenarioLoaderTests.problems(case: "workload: rr, vsock_buffer_min: 1MiB, vsock_buffer_max: 4KiB")
            == ["3: vsock_buffer_min (1MiB) is larger than vsock_buffer_max (4KiB): give a minimum at most the maximum"])
        #expect(ScenarioLoaderTests.problems(case: "workload: rr, vsock_buffer_min: 4KiB, vsock_buffer_max: 4KiB").isEmpty)
        // Across defaults and a case: said at the case's key, once per case.
        #expect(ScenarioDefaultsTests.problems("name: t\ndefaults:\n  vsock_buffer_max: 4KiB\ncases:\n  - name: a\n    workload: rr\n    vsock_buffer_min: 1MiB\n  - {name: b, workload: rr}\n")
            == ["7: vsock_buffer_min (1MiB) is larger than vsock_buffer_max (4KiB): give a minimum at most the maximum"])
        // Both in defaults: said once, at the later.
        #expect(ScenarioDefaultsTests.problems("name: t\ndefaults:\n  vsock_buffer_min: 1MiB\n  vsock_buffer_max: 4KiB\ncases:\n  - {name: a, workload: rr}\n  - {name: b, workload: stream}\n")
            == ["4: vsock_buffer_min (1MiB) is larger than vsock_buffer_max (4KiB): give a minimum at most the maximum"])
    }

    @Test(arguments: ["sndbuf", "rcvbuf", "vsock_buffer_size"])
    func socketBufferAndOneItSetsAreRefusedInOneMapping(key: String) throws {
        let message = "socket_buffer sets sndbuf, rcvbuf, vsock_buffer_size at once: give it or \(key), not both"
        #expect(ScenarioDefaultsTests.problems("name: t\ncases:\n  - name: a\n    workload: rr\n    socket_buffer: 64KiB\n    \(key): 8KiB\n") == ["6: \(message)"])
        #expect(ScenarioDefaultsTests.problems("name: t\ncases:\n  - name: a\n    workload: rr\n    \(key): 8KiB\n    socket_buffer: 64KiB\n") == ["6: \(message)"])
        #expect(ScenarioDefaultsTests.problems("name: t\ndefaults:\n  socket_buffer: 64KiB\n  \(key): 8KiB\ncases:\n  - {name: a, workload: rr}\n") == ["4: \(message)"])
        // In different mappings the case's key replaces what the default set.
        let scenario = try ScenarioLoader.parse("name: t\ndefaults: {socket_buffer: 64KiB}\ncases:\n  - {name: a, workload: rr, sndbuf: 8KiB}\n", file: "s.yaml")
        #expect(scenario.cases.first?.socket.sendBuffer == 8192)
        #expect(scenario.cases.first?.socket.receiveBuffer == 65536)
    }
}
