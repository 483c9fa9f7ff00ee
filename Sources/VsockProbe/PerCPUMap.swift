import CLibbpf

#if canImport(Glibc)
import Glibc
#endif

/// Reads a per-CPU BPF map by file descriptor and sums the CPUs' slots.
///
/// A per-CPU lookup returns one value per possible CPU, each padded to 8 bytes:
/// the buffer is `round_up(value_size, 8) * libbpf_num_possible_cpus()`.
struct PerCPUMap {
    let fd: Int32
    let name: String
    /// Bytes of one CPU's value.
    let valueSize: Int
    let cpus: Int

    init(fd: Int32, name: String, valueSize: Int) throws {
        let cpus = libbpf_num_possible_cpus()
        guard cpus > 0 else {
            throw ProbeError(operation: "libbpf_num_possible_cpus", errno: -cpus, detail: "")
        }
        self.fd = fd
        self.name = name
        self.valueSize = valueSize
        self.cpus = Int(cpus)
    }

    private var stride: Int { (valueSize + 7) / 8 * 8 }

    /// The u64 words of one key's value summed over the CPUs (one word for a counter, two for
    /// packets and bytes); nil when the key is absent.
    func sum<Key>(key: Key) throws -> [UInt64]? {
        let words = valueSize / 8
        var buffer = [UInt64](repeating: 0, count: stride / 8 * cpus)
        var key = key
        let result = withUnsafeBytes(of: &key) { keyBytes in
            buffer.withUnsafeMutableBytes { bpf_map_lookup_elem(fd, keyBytes.baseAddress, $0.baseAddress) }
        }
        if result == -ENOENT { return nil }
        guard result == 0 else {
            throw ProbeError(operation: "bpf_map_lookup_elem(\(name))", errno: -result, detail: "")
        }
        var totals = [UInt64](repeating: 0, count: words)
        for cpu in 0..<cpus {
            for word in 0..<words {
                totals[word] &+= buffer[cpu * stride / 8 + word]
            }
        }
        return totals
    }

    /// Every key of a hash map (per-CPU hash maps hold only the keys some CPU inserted).
    func keys<Key: BitwiseCopyable>(of type: Key.Type, zero: Key) throws -> [Key] {
        var found: [Key] = []
        var previous = zero
        var next = zero
        var first = true
        while found.count <= 65536 {
            let result = withUnsafeBytes(of: &previous) { previousBytes in
                withUnsafeMutableBytes(of: &next) { nextBytes in
                    bpf_map_get_next_key(fd, first ? nil : previousBytes.baseAddress, nextBytes.baseAddress)
                }
            }
            if result == -ENOENT { break }
            guard result == 0 else {
                throw ProbeError(operation: "bpf_map_get_next_key(\(name))", errno: -result, detail: "")
            }
            found.append(next)
            previous = next
            first = false
        }
        return found
    }
}
