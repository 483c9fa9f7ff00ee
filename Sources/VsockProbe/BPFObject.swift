import CLibbpf
import Foundation

/// A libbpf object opened from an embedded ELF image: set its read-only globals and which
/// programs load, load it, attach, find its maps. Not thread-safe; ``Probe`` serialises access.
///
/// libbpf 1.1 conventions: pointer-returning calls give NULL and set errno, int calls return -errno.
final class BPFObject {
    private var object: OpaquePointer?
    private var image: UnsafeMutableRawBufferPointer
    private var links: [OpaquePointer] = []
    let name: String

    /// Opens `base64` (an object of ``EmbeddedBPFObjects``). The image stays allocated until
    /// ``close()``: libbpf reads the ELF in place until it is loaded.
    init(name: String, base64: String) throws {
        _ = LibbpfLog.installed
        guard let bytes = Data(base64Encoded: base64) else {
            throw ProbeError(operation: "decoding the embedded BPF object \(name)", detail: "rebuild the package")
        }
        self.name = name
        image = .allocate(byteCount: bytes.count, alignment: 8)
        _ = image.initializeMemory(as: UInt8.self, from: bytes)
        var options = bpf_object_open_opts()
        options.sz = MemoryLayout<bpf_object_open_opts>.size
        let opened = name.withCString { objectName in
            options.object_name = objectName
            return bpf_object__open_mem(image.baseAddress, image.count, &options)
        }
        guard let opened else {
            let error = errno
            image.deallocate()
            throw ProbeError(operation: "bpf_object__open_mem(\(name))", errno: error, detail: Self.libbpfSays())
        }
        object = opened
    }

    deinit {
        assert(object == nil, "BPFObject \(name) was not closed")
    }

    /// Sets the `.rodata` section (the `const volatile` globals) to `value`, whose C struct must be
    /// the section's only content: the sizes are checked, as libbpf requires an exact match.
    func setReadOnlyData<Value>(_ value: Value) throws {
        guard let map = try map(suffix: ".rodata") else {
            throw ProbeError(operation: "finding .rodata of \(name)", detail: "the BPF object has no const volatile globals")
        }
        var size = 0
        _ = bpf_map__initial_value(map, &size)
        guard size == MemoryLayout<Value>.size else {
            throw ProbeError(
                operation: "setting .rodata of \(name)",
                detail: ".rodata has \(size) bytes, \(Value.self) has \(MemoryLayout<Value>.size): bpf/vsockbench.h and the program disagree")
        }
        var copy = value
        let result = withUnsafeBytes(of: &copy) { bpf_map__set_initial_value(map, $0.baseAddress, $0.count) }
        guard result == 0 else {
            throw ProbeError(operation: "bpf_map__set_initial_value(\(name).rodata)", errno: -result, detail: "")
        }
    }

    func setAutoload(program: String, _ load: Bool) throws {
        let result = bpf_program__set_autoload(try self.program(named: program), load)
        guard result == 0 else {
            throw ProbeError(operation: "bpf_program__set_autoload(\(program))", errno: -result, detail: "")
        }
    }

    /// Loads every program whose autoload is on; libbpf 1.1 loads all or nothing.
    func load() throws {
        let result = bpf_object__load(try opened())
        guard result == 0 else {
            throw ProbeError(operation: "bpf_object__load(\(name))", errno: -result, detail: Self.libbpfSays())
        }
    }

    func attachTracepoint(program: String, category: String, event: String) throws {
        let link = bpf_program__attach_tracepoint(try self.program(named: program), category, event)
        try keep(link, operation: "attaching \(program) to \(category)/\(event)")
    }

    /// Attaches a raw tracepoint program to the tracepoint `event` (e.g. `sys_enter`).
    func attachRawTracepoint(program: String, event: String) throws {
        let link = bpf_program__attach_raw_tracepoint(try self.program(named: program), event)
        try keep(link, operation: "attaching \(program) to raw tracepoint \(event)")
    }

    /// Attaches an fentry/fexit program to the function its section names.
    func attachTrace(program: String) throws {
        try keep(bpf_program__attach_trace(try self.program(named: program)), operation: "attaching \(program)")
    }

    /// Makes map `mapName` use another object's map (`fd`) instead of creating its own: two
    /// objects then write to one ring buffer. Before ``load()``.
    func reuseMap(named mapName: String, descriptor fd: Int32) throws {
        guard let map = bpf_object__find_map_by_name(try opened(), mapName) else {
            throw ProbeError(operation: "finding map \(mapName) in \(name)", errno: errno, detail: "")
        }
        let result = bpf_map__reuse_fd(map, fd)
        guard result == 0 else {
            throw ProbeError(operation: "bpf_map__reuse_fd(\(mapName))", errno: -result, detail: "")
        }
    }

    /// Leaves map `mapName` uncreated (code using it must be dead for the verifier, behind a
    /// `const volatile` flag), so a kernel without its map type still loads the rest. Before ``load()``.
    func skipMap(named mapName: String) throws {
        guard let map = bpf_object__find_map_by_name(try opened(), mapName) else {
            throw ProbeError(operation: "finding map \(mapName) in \(name)", errno: errno, detail: "")
        }
        let result = bpf_map__set_autocreate(map, false)
        guard result == 0 else {
            throw ProbeError(operation: "bpf_map__set_autocreate(\(mapName))", errno: -result, detail: "")
        }
    }

    /// The file descriptor of a map of this object, valid after ``load()``.
    func mapDescriptor(named mapName: String) throws -> Int32 {
        guard let map = bpf_object__find_map_by_name(try opened(), mapName) else {
            throw ProbeError(operation: "finding map \(mapName) in \(name)", errno: errno, detail: "")
        }
        let fd = bpf_map__fd(map)
        guard fd >= 0 else {
            throw ProbeError(operation: "bpf_map__fd(\(mapName))", errno: -fd, detail: "is the object loaded?")
        }
        return fd
    }

    /// Detaches every program and frees the object; safe to call twice. Takes 40-90 ms per
    /// tracepoint here: the kernel waits for an RCU grace period on each detach, one at a time
    /// (closing them from several threads was tried and is no faster).
    func close() {
        for link in links.reversed() { bpf_link__destroy(link) }
        links = []
        if let object {
            bpf_object__close(object)
            self.object = nil
            image.deallocate()
        }
    }

    private func opened() throws -> OpaquePointer {
        guard let object else { throw ProbeError(operation: "using BPF object \(name)", detail: "it is closed") }
        return object
    }

    private func program(named program: String) throws -> OpaquePointer {
        guard let found = bpf_object__find_program_by_name(try opened(), program) else {
            throw ProbeError(operation: "finding program \(program) in \(name)", errno: errno, detail: "")
        }
        return found
    }

    private func map(suffix: String) throws -> OpaquePointer? {
        let object = try opened()
        var map = bpf_object__next_map(object, nil)
        while let current = map {
            if let mapName = bpf_map__name(current), String(cString: mapName).hasSuffix(suffix) { return current }
            map = bpf_object__next_map(object, current)
        }
        return nil
    }

    private func keep(_ link: OpaquePointer?, operation: String) throws {
        guard let link else {
            throw ProbeError(operation: operation, errno: errno, detail: Self.libbpfSays())
        }
        links.append(link)
    }

    private static func libbpfSays() -> String {
        let lines = LibbpfLog.last(3)
        return lines.isEmpty ? "" : "libbpf: " + lines.joined(separator: " | ")
    }
}
