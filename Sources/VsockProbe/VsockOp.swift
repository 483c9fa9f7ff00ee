import CVsockProbe

/// The op of a virtio-vsock packet header (`VIRTIO_VSOCK_OP_*`).
public enum VsockOp: UInt16, CaseIterable, Sendable {
    case request = 1
    case response = 2
    case rst = 3
    case shutdown = 4
    /// Data: the only op that carries payload bytes.
    case rw = 5
    /// The receiver's new `fwd_cnt`/`buf_alloc`, sent unasked or in answer to a credit request.
    case creditUpdate = 6
    case creditRequest = 7

    /// The name used as a JSON key: `REQUEST`, `RW`, `CREDIT_UPDATE`...
    public var name: String {
        switch self {
        case .request: "REQUEST"
        case .response: "RESPONSE"
        case .rst: "RST"
        case .shutdown: "SHUTDOWN"
        case .rw: "RW"
        case .creditUpdate: "CREDIT_UPDATE"
        case .creditRequest: "CREDIT_REQUEST"
        }
    }

    /// The key counting packets whose op is none of these (0 or above 7).
    public static let invalidName = "INVALID"

    /// Index of the `vsock_packets` map slot for a direction and an op (0 = invalid).
    static func slot(direction: UInt32, op: UInt16) -> UInt32 {
        direction * UInt32(VSB_VSOCK_OPS) + UInt32(op)
    }
}
