import Foundation
import Testing

@testable import VsockProbe

@Suite struct ProbeCountersTests {
    static let documentedKeys: Set<String> = [
        "kvm_run", "kvm_exits", "kvm_userspace_exits", "vsock", "syscalls", "vsock_irqs", "virtqueue_kicks", "sources",
    ]

    static func jsonObject(_ value: some Encodable) throws -> [String: Any] {
        let data = try JSONEncoder().encode(value)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test(
        "JSON of a real reading has the documented keys, nulls included, and per-op vsock objects",
        .enabled(if: TestSupport.canProbe, "needs root (or CAP_BPF+CAP_PERFMON), a working bpf() and tracefs"))
    func jsonKeysOfARealReading() throws {
        let result = try TestSupport.runUnderProbe([TestSupport.product("write-fixture"), "2"])
        let json = try Self.jsonObject(result.counters)
        #expect(Set(json.keys) == Self.documentedKeys)
        #expect(json["kvm_run"] as? Int == 0)
        // Counted and none: {} where the program is attached, null only where it is not.
        for (key, program) in [("kvm_exits", "kvm_exits"), ("kvm_userspace_exits", "kvm_userspace_exits")] {
            if result.counters.isAttached(program) {
                #expect((json[key] as? [String: Any])?.isEmpty == true, "\(key): \(String(describing: json[key]))")
            } else {
                #expect(json[key] is NSNull, "\(key)")
            }
        }
        #expect((json["syscalls"] as? [String: Int])?["write"] == 2)
        let sources = try #require(json["sources"] as? [[String: Any]])
        #expect(sources.allSatisfy { Set($0.keys) == ["program", "tracepoint", "counts", "attached", "reason"] })
        if let vsock = json["vsock"] as? [String: Any] {
            #expect(Set(vsock.keys) == ["tx", "rx"])
            let tx = try #require(vsock["tx"] as? [String: [String: Int]])
            #expect(Set(tx.keys) == Set(VsockOp.allCases.map(\.name)))
            #expect(tx.values.allSatisfy { Set($0.keys) == ["packets", "bytes"] })
        } else {
            #expect(json["vsock"] is NSNull)
        }
    }

    @Test("absent figures are written as null, not left out")
    func nullsAreWritten() throws {
        let json = try Self.jsonObject(ProbeCounters())
        #expect(Set(json.keys) == Self.documentedKeys)
        for key in ["kvm_run", "kvm_exits", "kvm_userspace_exits", "vsock", "vsock_irqs", "virtqueue_kicks"] {
            #expect(json[key] is NSNull, "\(key)")
        }
        let perMessage = try Self.jsonObject(ProbePerMessage())
        #expect(Set(perMessage.keys) == [
            "syscalls", "kvm_run", "exits", "vsock_packets", "credit_updates", "notifications", "exits_source",
        ])
    }

    @Test("a round trip through JSON gives the same counters")
    func roundTrip() throws {
        let counters = Self.sample(kvmRun: 10, exits: ["HLT": 2], write: 5, rw: 3)
        let decoded = try JSONDecoder().decode(ProbeCounters.self, from: JSONEncoder().encode(counters))
        #expect(decoded == counters)
    }

    @Test("subtracting gives the interval's counts; entries that did not grow disappear")
    func subtracting() {
        let earlier = Self.sample(kvmRun: 10, exits: ["HLT": 2, "IO_INSTRUCTION": 5], write: 5, rw: 3)
        let later = Self.sample(kvmRun: 25, exits: ["HLT": 2, "IO_INSTRUCTION": 9], write: 9, rw: 4)
        let delta = later.subtracting(earlier)
        #expect(delta.kvmRun == 15)
        #expect(delta.kvmExits == ["IO_INSTRUCTION": 4])
        #expect(delta.syscalls == ["write": 4])
        #expect(delta.vsock?.tx?["RW"] == VsockPacketCount(packets: 1, bytes: 100))
        #expect(delta.vsock?.tx?["REQUEST"] == VsockPacketCount())
        #expect(later.subtracting(later).kvmExits == [:], "counted, none in the interval: a zero, not 'not counted'")
        #expect(earlier.subtracting(later).kvmRun == 0, "a smaller later reading saturates at 0")
    }

    /// `kvm_exits` and `kvm_userspace_exits` are `{}` when attached and none counted, `null`
    /// only when not attached (it was `null` both ways: "not counted" for a zero). The zero
    /// claims no exits where exits are not observable: the source falls to the next one.
    @Test("a counted zero is {} and stays one through subtracting; null is for a counter not attached")
    func countedZeroIsAnEmptyObject() throws {
        var earlier = Self.sample(kvmRun: 10, exits: [:], write: 5, rw: 3)
        earlier.kvmUserspaceExits = [:]
        earlier.sources.append(ProbeSource(program: "p_u", tracepoint: "t/u", counts: "kvm_userspace_exits", attached: true))
        var later = earlier
        later.kvmRun = 12
        let delta = later.subtracting(earlier)
        #expect(delta.kvmExits == [:])
        #expect(delta.kvmUserspaceExits == [:])
        #expect(delta.totalKVMExits == 0)
        let json = try Self.jsonObject(delta)
        #expect((json["kvm_exits"] as? [String: Any])?.isEmpty == true, "\(String(describing: json["kvm_exits"]))")
        #expect((json["kvm_userspace_exits"] as? [String: Any])?.isEmpty == true)
        // The text shows a zero, not '-' (not attached).
        let text = ProbeReport.text(ProbeSessionResult(counters: delta, exitStatus: 0, seconds: 1, warnings: []), title: "t")
        #expect(text.split(separator: "\n").contains { $0.hasPrefix("kvm_exit ") && $0.hasSuffix(" 0") }, "\(text)")
        #expect(ProbeReport.intervalLine(delta, elapsed: 1).split(separator: " ").map(String.init)[2] == "0")
        // No exits counted: per message, exits come from KVM_RUN (2 over 2 messages), not "0 via kvm_exit".
        let perMessage = delta.perMessage(2)
        #expect(perMessage.exitsSource == "kvm_run")
        #expect(perMessage.exits == 1)
        // Nothing else to count either: no exit figure at all, rather than 0.
        var none = delta
        none.kvmRun = 0
        none.vsock = nil
        #expect(none.perMessage(2).exits == nil && none.perMessage(2).exitsSource == nil)

        // Not attached: null, through subtracting too.
        let detached = ProbeCounters(kvmRun: 1, syscalls: [:], sources: [])
        #expect(detached.subtracting(detached).kvmExits == nil)
        #expect(try Self.jsonObject(detached.subtracting(detached))["kvm_exits"] is NSNull)
    }

    @Test("per message: exits from kvm_exit when it fired")
    func perMessageFromKVMExit() {
        let perMessage = Self.sample(kvmRun: 30, exits: ["IO_INSTRUCTION": 40], write: 20, rw: 10).perMessage(10)
        #expect(perMessage.exitsSource == "kvm_exit")
        #expect(perMessage.exits == 4)
        #expect(perMessage.kvmRun == 3)
        #expect(perMessage.syscalls == 2)
        #expect(perMessage.vsockPackets == 1)
        #expect(perMessage.creditUpdates == 0)
    }

    @Test("per message: exits from KVM_RUN when kvm_exit did not fire")
    func perMessageFromKVMRun() {
        let perMessage = Self.sample(kvmRun: 30, exits: nil, write: 0, rw: 0).perMessage(10)
        #expect(perMessage.exitsSource == "kvm_run")
        #expect(perMessage.exits == 3)
    }

    @Test("per message: virtio notifications as the proxy inside a guest without KVM_RUN")
    func perMessageFromNotifications() {
        var counters = Self.sample(kvmRun: 0, exits: nil, write: 0, rw: 6)
        counters.vsockIRQs = 3
        counters.virtqueueKicks = nil
        let perMessage = counters.perMessage(3)
        #expect(perMessage.exitsSource == "virtio_notifications")
        #expect(perMessage.exits == 3)  // (3 IRQs + 6 packets) / 3
        #expect(perMessage.notifications == 1)
    }

    @Test("per message: nothing to count gives nulls")
    func perMessageEmpty() {
        let perMessage = ProbeCounters().perMessage(5)
        #expect(perMessage == ProbePerMessage())
        #expect(Self.sample(kvmRun: 1, exits: nil, write: 1, rw: 1).perMessage(0) == ProbePerMessage())
    }

    static func sample(kvmRun: UInt64, exits: [String: UInt64]?, write: UInt64, rw: UInt64) -> ProbeCounters {
        var tx = Dictionary(uniqueKeysWithValues: VsockOp.allCases.map { ($0.name, VsockPacketCount()) })
        tx["RW"] = VsockPacketCount(packets: rw, bytes: rw * 100)
        let sources = ["kvm_run", "kvm_exits", "syscalls", "vsock.tx"].map {
            ProbeSource(program: "p_\($0)", tracepoint: "t/\($0)", counts: $0, attached: true)
        }
        return ProbeCounters(
            kvmRun: kvmRun, kvmExits: exits, vsock: VsockCounters(tx: tx, rx: nil),
            syscalls: write > 0 ? ["write": write] : [:], sources: sources)
    }
}
