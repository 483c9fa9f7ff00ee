#if canImport(Glibc)
import Glibc
#endif
import CShims
import VsockBenchSupport

/// A resolved socket address ready for bind/connect.
struct SocketAddress {
    var storage = sockaddr_storage()
    var length: socklen_t = 0
    var family: Int32 = 0

    /// Resolves an endpoint. TCP host names go through getaddrinfo (once per connection, never
    /// on the data path).
    static func resolve(_ endpoint: Endpoint, passive: Bool) throws(TransportError) -> SocketAddress {
        var address = SocketAddress()
        switch endpoint {
        case let .vsock(cid, port), let .vsockSeqpacket(cid, port):
            address.family = cshims_af_vsock()
            withUnsafeMutablePointer(to: &address.storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr_vm.self, capacity: 1) { vm in
                    address.length = cshims_make_sockaddr_vm(vm, cid, port)
                }
            }
        case let .unix(path), let .unixSeqpacket(path):
            address.family = AF_UNIX
            withUnsafeMutablePointer(to: &address.storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr_un.self, capacity: 1) { un in
                    un.pointee.sun_family = sa_family_t(AF_UNIX)
                    withUnsafeMutableBytes(of: &un.pointee.sun_path) { raw in
                        let bytes = Array(path.utf8)
                        raw.copyBytes(from: bytes)
                        raw[bytes.count] = 0
                    }
                }
            }
            address.length = socklen_t(MemoryLayout<sockaddr_un>.size)
        case let .tcp(host, port):
            var hints = addrinfo()
            hints.ai_family = AF_UNSPEC
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            hints.ai_flags = passive ? AI_PASSIVE : 0
            var result: UnsafeMutablePointer<addrinfo>?
            let status = getaddrinfo(host == "*" ? nil : host, String(port), &hints, &result)
            guard status == 0, let first = result else {
                throw TransportError.unresolvable(endpoint, reason: String(cString: gai_strerror(status)))
            }
            defer { freeaddrinfo(result) }
            address.family = first.pointee.ai_family
            address.length = first.pointee.ai_addrlen
            withUnsafeMutableBytes(of: &address.storage) { raw in
                raw.copyMemory(from: UnsafeRawBufferPointer(start: first.pointee.ai_addr, count: Int(first.pointee.ai_addrlen)))
            }
        }
        return address
    }

    func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        withUnsafePointer(to: storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
        }
    }

    /// The stream endpoint this address denotes (for a bound socket: the real port after binding
    /// port 0); `Endpoint.with(kind:)` gives the seqpacket one.
    static func endpoint(of storage: sockaddr_storage, unixPath: String? = nil) -> Endpoint? {
        var storage = storage
        return withUnsafePointer(to: &storage) { pointer -> Endpoint? in
            switch Int32(pointer.pointee.ss_family) {
            case cshims_af_vsock():
                return pointer.withMemoryRebound(to: sockaddr_vm.self, capacity: 1) {
                    Endpoint.vsock(cid: $0.pointee.svm_cid, port: $0.pointee.svm_port)
                }
            case AF_INET:
                return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin -> Endpoint in
                    var addr = sin.pointee.sin_addr
                    var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
                    inet_ntop(AF_INET, &addr, &text, socklen_t(text.count))
                    return .tcp(host: cText(text), port: UInt16(bigEndian: sin.pointee.sin_port))
                }
            case AF_INET6:
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin6 -> Endpoint in
                    var addr = sin6.pointee.sin6_addr
                    var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
                    inet_ntop(AF_INET6, &addr, &text, socklen_t(text.count))
                    return .tcp(host: cText(text), port: UInt16(bigEndian: sin6.pointee.sin6_port))
                }
            case AF_UNIX:
                return unixPath.map { .unix(path: $0) }
            default:
                return nil
            }
        }
    }
}
