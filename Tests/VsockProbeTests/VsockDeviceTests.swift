import Foundation
import Testing

@testable import VsockProbe

@Suite struct VsockDeviceTests {
    let interrupts = """
                   CPU0       CPU1
         35:          0          1  PCI-MSIX-0000:00:02.0   0-edge      virtio1-config
         36:          0      70296  PCI-MSIX-0000:00:02.0   1-edge      virtio1-req.0
         40:          0          0  PCI-MSIX-0000:00:04.0   0-edge      virtio3-config
         41:       3249          0  PCI-MSIX-0000:00:04.0   1-edge      virtio3-rx
         42:          0       4706  PCI-MSIX-0000:00:04.0   2-edge      virtio3-tx
         43:          1          0  PCI-MSIX-0000:00:04.0   3-edge      virtio3-event
         44:          1          0  PCI-MSIX-0000:00:05.0   1-edge      virtio31-rx
         11:          7          0  IO-APIC   11-fasteoi   uhci_hcd, virtio7
        NMI:          0          0   Non-maskable interrupts
        """

    @Test("the queues of virtioN, not its config IRQ nor virtioN1's")
    func queueIRQsOfOneDevice() {
        #expect(VsockDevice.irqNumbers(ofVirtioDevice: 3, interrupts: interrupts) == [41, 42, 43])
    }

    @Test("a shared INTx line naming the device")
    func sharedLegacyLine() {
        #expect(VsockDevice.irqNumbers(ofVirtioDevice: 7, interrupts: interrupts) == [11])
    }

    @Test("the device bound to the vsock driver is found through its virtioN entry")
    func findsBoundDevice() throws {
        let root = FileManager.default.temporaryDirectory.appending(path: "vsockprobe-sys-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let driver = root.appending(path: "vmw_vsock_virtio_transport")
        try FileManager.default.createDirectory(at: driver.appending(path: "virtio3"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: driver.appending(path: "bind"), withIntermediateDirectories: true)
        let file = root.appending(path: "interrupts")
        try interrupts.write(to: file, atomically: true, encoding: .utf8)

        let device = VsockDevice.find(in: SystemRoots(vsockDriverDirectory: driver.path, interruptsFile: file.path))
        #expect(device == VsockDevice(virtioIndex: 3, irqs: [41, 42, 43]))
        #expect(VsockDevice.find(in: SystemRoots(vsockDriverDirectory: root.appending(path: "none").path, interruptsFile: file.path)) == nil)
    }
}
