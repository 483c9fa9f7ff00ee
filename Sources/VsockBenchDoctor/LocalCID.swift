import VsockTransport

/// What a local vsock CID says about where this machine sits: the ioctl returns the guest-side
/// CID when a guest transport is loaded, else the host-side one, else VMADDR_CID_ANY.
public enum LocalCID {
    /// One sentence for the CID, taking into account whether /dev/nitro_enclaves exists (CID 3
    /// alone does not make a Nitro parent: any hypervisor may hand a guest CID 3).
    public static func meaning(of cid: UInt32, nitroDevicePresent: Bool) -> String {
        switch cid {
        case VsockSupport.noTransportCID:
            return "VMADDR_CID_ANY (-1): no vsock transport is loaded, nothing can connect"
        case 0:
            return "0 (VMADDR_CID_HYPERVISOR): reserved for the hypervisor, unusual as a local CID"
        case 1:
            return "1 (VMADDR_CID_LOCAL): loopback only"
        case 2:
            return "2 (VMADDR_CID_HOST): this is a host; its guests reach it at CID 2"
        case 3 where nitroDevicePresent:
            return "3: a Nitro parent instance (enclaves reach it at CID 3; they are usually 16 and up)"
        case 3:
            return "3: a Nitro parent's CID, but no /dev/nitro_enclaves: a guest VM its host numbered 3"
        case 4..<16:
            return "\(cid): a guest VM (its host assigned the CID; Nitro enclaves are usually 16 and up)"
        default:
            return "\(cid): a guest VM, typical of a Nitro enclave (16 and up); its parent is at CID 3"
        }
    }
}
