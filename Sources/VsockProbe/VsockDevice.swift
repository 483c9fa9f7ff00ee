/// The virtio device the vsock transport drives, and the IRQs of its queues.
///
/// The IRQ program counts interrupts of these queues only (`virtio3-rx`, `virtio3-tx`,
/// `virtio3-event` in `/proc/interrupts`), a proxy for host-to-guest notifications where
/// there is no KVM_RUN to count (a Nitro parent instance).
struct VsockDevice: Equatable, Sendable {
    /// N of `virtioN`.
    var virtioIndex: Int32
    /// IRQ numbers of its queues (the `-config` interrupt is not traffic and is left out).
    var irqs: [UInt32]

    /// Finds the device bound to `vmw_vsock_virtio_transport`; nil when there is none.
    static func find(in roots: SystemRoots) -> VsockDevice? {
        let devices = FileSystem.entries(of: roots.vsockDriverDirectory).compactMap { name -> Int32? in
            guard name.hasPrefix("virtio") else { return nil }
            return Int32(name.dropFirst("virtio".count))
        }
        guard let index = devices.first else { return nil }
        let interrupts = (try? FileSystem.readText(roots.interruptsFile)) ?? ""
        return VsockDevice(virtioIndex: index, irqs: irqNumbers(ofVirtioDevice: index, interrupts: interrupts))
    }

    /// IRQs whose handler is `virtioN` (INTx, one line for all queues) or `virtioN-<queue>`.
    static func irqNumbers(ofVirtioDevice index: Int32, interrupts: String) -> [UInt32] {
        let device = "virtio\(index)"
        return interrupts.split(separator: "\n").compactMap { line -> UInt32? in
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," })
            guard let first = words.first, first.hasSuffix(":"), let irq = UInt32(first.dropLast()) else {
                return nil
            }
            let handlers = words.dropFirst().filter { word in
                word == device || (word.hasPrefix("\(device)-") && !word.hasSuffix("-config"))
            }
            return handlers.isEmpty ? nil : irq
        }
    }
}
