import Testing

/// The keys of `vsockbench-doctor/2` that scripts may rely on: adding one is a new schema
/// version's business, so these tests fail on any change.
enum DoctorJSONShape {
    static let topLevel: Set<String> = ["schema", "tool", "hostname", "generated_at", "summary", "checks", "facts"]
    static let checkIDs: Set<String> = [
        "af_vsock", "local_cid", "vsock_transports", "vsock_loopback", "vsock_seqpacket", "nitro_parent", "nitro_enclaves",
        "nitro_allocator", "kernel", "unix_seqpacket", "vsock_buffer", "net_core_buffers", "tcp_buffers", "bpf_privileges",
        "bpf_syscall", "tracefs", "probe_programs", "kvm", "vm_exit_source",
    ]
    static let checkKeys: Set<String> = ["group", "title", "status", "detail", "advice", "notes"]
    static let facts: [String: Set<String>] = [
        "vsock": [
            "af_vsock", "socket_error", "device", "device_present", "local_cid", "local_cid_error", "transports",
            "loopback", "buffer_size", "buffer_min_size", "buffer_max_size", "seqpacket", "seqpacket_error", "loadable_modules",
        ],
        "nitro": [
            "device", "device_present", "nitro_cli", "enclaves", "enclaves_error", "allocator_file", "allocator",
            "allocator_error",
        ],
        "kernel": ["release", "major", "minor", "credit_update_on_every_read", "unix_seqpacket", "unix_seqpacket_error"],
        "socket_buffers": [
            "vsock_buffer_size", "vsock_buffer_min_size", "vsock_buffer_max_size", "vsock_default_buffer_size",
            "rmem_default", "wmem_default", "rmem_max", "wmem_max", "tcp_rmem", "tcp_wmem",
        ],
        "bpf": [
            "euid", "cap_eff", "privileged", "privileged_by", "bpf_syscall", "bpf_error", "tracefs",
            "tracefs_candidates", "tracefs_unreadable", "programs", "probe_ready",
        ],
        "kvm": ["device", "device_present", "api_version", "usable", "error"],
    ]
    static let statuses: Set<String> = ["ok", "warn", "missing"]

    static func expectStable(_ object: [String: Any]) throws {
        #expect(Set(object.keys) == topLevel)
        #expect(object["schema"] as? String == "vsockbench-doctor/2")
        let summary = try #require(object["summary"] as? [String: Int])
        #expect(Set(summary.keys) == statuses)
        let checks = try #require(object["checks"] as? [String: [String: Any]])
        #expect(Set(checks.keys) == checkIDs)
        for (id, check) in checks {
            #expect(Set(check.keys) == checkKeys, "\(id)")
            #expect(statuses.contains(check["status"] as? String ?? ""), "\(id)")
        }
        #expect(summary.values.reduce(0, +) == checkIDs.count)
        let facts = try #require(object["facts"] as? [String: [String: Any]])
        #expect(Set(facts.keys) == Set(self.facts.keys))
        for (section, keys) in self.facts {
            #expect(Set(facts[section]?.keys.map { $0 } ?? []) == keys, "\(section)")
        }
    }
}
