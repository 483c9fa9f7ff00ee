import Testing

@testable import VsockBenchEngine
@testable import VsockTransport

/// Where a target's CPU time is spent, from its endpoint: what the machine's figures subtract.
@Suite struct TargetPlaceTests {
    @Test func theEndpointSaysWhereTheTargetRuns() {
        #expect(TargetPlace(.unix(path: "/tmp/t.sock"), localCID: nil) == .thisMachine)
        #expect(TargetPlace(.unixSeqpacket(path: "/tmp/t.sock"), localCID: nil) == .thisMachine)
        #expect(TargetPlace(.vsock(cid: 1, port: 5005), localCID: nil) == .thisMachine, "CID 1: the local loopback")
        #expect(TargetPlace(.vsock(cid: 16, port: 5005), localCID: 3) == .elsewhere, "an enclave or a VM")
        #expect(TargetPlace(.vsockSeqpacket(cid: 2, port: 5005), localCID: 3) == .elsewhere, "the host, from a guest")
        // The kernel routes this machine's own CID through its loopback too (review).
        #expect(TargetPlace(.vsock(cid: 3, port: 5005), localCID: 3) == .thisMachine)
        #expect(TargetPlace(.vsockSeqpacket(cid: 2, port: 5005), localCID: 2) == .thisMachine)
        #expect(TargetPlace(.tcp(host: "127.0.0.1", port: 5005), localCID: nil) == .thisMachine)
        #expect(TargetPlace(.tcp(host: "localhost", port: 5005), localCID: nil) == .thisMachine)
        #expect(TargetPlace(.tcp(host: "::1", port: 5005), localCID: nil) == .thisMachine)
        #expect(TargetPlace(.tcp(host: "10.0.0.7", port: 5005), localCID: nil) == .unknown, "this machine's own address, or another's")
    }
}
