import Testing
import VsockBenchModel
import VsockTransport
@testable import VsockBenchEngine

/// What a data connection may cost the target, counted before it is granted: on a vsock
/// target that includes the kernel receive buffer the hello asks for, which no sysctl caps.
@Suite struct MemoryEstimateTests {
    static func rr(_ socket: SocketOptions) -> CaseSpec {
        var spec = Specs.rr(request: 8 << 10, response: 8 << 10)
        spec.socket = socket
        return spec
    }

    @Test func aVsockReceiveBufferCountsOnAVsockTarget() {
        let plain = Self.rr(SocketOptions()).targetMemoryPerConnection(maxFrame: 4 << 20, vsock: true)
        let asked = Self.rr(SocketOptions(vsockBufferSize: 1 << 30)).targetMemoryPerConnection(maxFrame: 4 << 20, vsock: true)
        #expect(asked - plain == 1 << 30)
        // The kernel raises the buffer to its minimum: a minimum alone counts as well.
        let minimum = Self.rr(SocketOptions(vsockBufferMin: 512 << 20)).targetMemoryPerConnection(maxFrame: 4 << 20, vsock: true)
        #expect(minimum - plain == 512 << 20)
        // A maximum alone grows nothing.
        #expect(Self.rr(SocketOptions(vsockBufferMax: 1 << 30)).targetMemoryPerConnection(maxFrame: 4 << 20, vsock: true) == plain)
        // A target with the default --max-memory (512 MiB) refuses a 1 GiB buffer before it is set.
        #expect(!MemoryBudget(limit: TargetConfiguration.defaults.maxMemory).reserve(asked))
    }

    @Test func vsockOptionsCostNothingOffVsock() {
        let plain = Self.rr(SocketOptions()).targetMemoryPerConnection(maxFrame: 4 << 20)
        #expect(Self.rr(SocketOptions(vsockBufferSize: 1 << 30, vsockBufferMin: 1 << 30)).targetMemoryPerConnection(maxFrame: 4 << 20) == plain)
    }
}
