import CVsockProbe
import Testing

@testable import VsockProbe

/// The `.rodata` filters the programs are loaded with (the vsock filters themselves are
/// exercised with real traffic in the QEMU guest of the vsock lab, not here).
@Suite struct ProbeObjectsTests {
    static func words<T>(_ tuple: T, count: Int) -> [UInt32] {
        withUnsafeBytes(of: tuple) { Array($0.bindMemory(to: UInt32.self).prefix(count)) }
    }

    @Test("pids, vsock port and CID, and IRQs land in vsb_config")
    func filtersInReadOnlyData() {
        let configuration = ProbeConfiguration(pids: [10, 20, 30], followChildren: true, vsockPort: 5005, vsockCID: 16)
        let config = ProbeObjects.config(configuration, vsockDevice: VsockDevice(virtioIndex: 3, irqs: [41, 42, 43]))
        #expect(Self.words(config.target_tgids, count: 3) == [10, 20, 30])
        #expect(config.target_count == 3)
        #expect(config.follow_children == 1)
        #expect(config.vsock_filter_port == 1 && config.vsock_port == 5005)
        #expect(config.vsock_filter_cid == 1 && config.vsock_cid == 16)
        #expect(config.irq_count == 3 && Self.words(config.irqs, count: 3) == [41, 42, 43])
    }

    @Test("no filter means every packet; more pids than the array holds are cut at VSB_MAX_TARGETS")
    func unfilteredAndOverflow() {
        let pids = (1...12).map(Int32.init)
        let config = ProbeObjects.config(ProbeConfiguration(pids: pids, followChildren: false), vsockDevice: nil)
        #expect(config.vsock_filter_port == 0 && config.vsock_filter_cid == 0)
        #expect(config.follow_children == 0)
        #expect(config.target_count == VSB_MAX_TARGETS)
        #expect(config.irq_count == 0)
    }
}
