import Testing

@testable import VsockBenchDoctor

/// The pure pieces of doctor: CID meanings, nitro-cli and allocator parsing, kernel releases,
/// the screen's wrapping.
@Suite struct DoctorPartsTests {
    @Test("each CID says what it means, and CID 3 is a Nitro parent only with /dev/nitro_enclaves")
    func cidMeanings() {
        #expect(LocalCID.meaning(of: 2, nitroDevicePresent: false).hasPrefix("2 (VMADDR_CID_HOST)"))
        #expect(LocalCID.meaning(of: 3, nitroDevicePresent: true).hasPrefix("3: a Nitro parent instance"))
        #expect(LocalCID.meaning(of: 3, nitroDevicePresent: false).contains("no /dev/nitro_enclaves"))
        #expect(LocalCID.meaning(of: 5, nitroDevicePresent: false).hasPrefix("5: a guest VM"))
        #expect(LocalCID.meaning(of: 16, nitroDevicePresent: false).contains("typical of a Nitro enclave"))
        #expect(LocalCID.meaning(of: UInt32.max, nitroDevicePresent: false).contains("no vsock transport"))
    }

    /// A /dev/kvm this user may not open is a permission (warn), as /dev/vsock's is, not a
    /// missing device; one that fails otherwise stays missing.
    @Test("a /dev/kvm that is there but not this user's to open is a warning")
    func kvmPermission() throws {
        let denied = KVMFacts(device: "/dev/kvm", devicePresent: true, error: "open /dev/kvm read-write: Permission denied")
        let check = try #require(denied.checks(nitroParent: false).first { $0.id == "kvm" })
        #expect(check.status == .warn, "\(check)")
        #expect(check.detail.contains("exists but this user may not open it"))
        // Nor is it "no usable KVM here" for the exits (review).
        let exits = try #require(denied.checks(nitroParent: false).first { $0.id == "vm_exit_source" })
        #expect(exits.detail.contains("not this user's to open") && !exits.detail.contains("no usable KVM"), "\(exits.detail)")
        let broken = KVMFacts(device: "/dev/kvm", devicePresent: true, error: "KVM_GET_API_VERSION on /dev/kvm: Inappropriate ioctl for device")
        #expect(broken.checks(nitroParent: false).first { $0.id == "kvm" }?.status == .missing)
    }

    @Test("describe-enclaves: NumberOfCPUs as documented, CPUCount accepted, unknown keys ignored")
    func describeEnclaves() throws {
        let listed = try NitroEnclave.parseDescribeEnclaves("""
            [{"EnclaveCID": 17, "State": "TERMINATING", "CPUCount": 4, "MemoryMiB": 4096, "Flags": "NONE"},
             {"EnclaveName": "a", "EnclaveCID": 18, "State": "RUNNING", "NumberOfCPUs": 2}]
            """)
        #expect(listed == [
            NitroEnclave(cid: 17, state: "TERMINATING", cpuCount: 4, memoryMiB: 4096),
            NitroEnclave(name: "a", cid: 18, state: "RUNNING", cpuCount: 2),
        ])
        #expect(try NitroEnclave.parseDescribeEnclaves("[]").isEmpty)
        #expect(throws: (any Error).self) { try NitroEnclave.parseDescribeEnclaves("not json") }
    }

    @Test("allocator.yaml: memory_mib, cpu_count or cpu_pool")
    func allocator() throws {
        #expect(try NitroAllocatorConfig.parse("---\nmemory_mib: 4096\ncpu_count: 4\n") == NitroAllocatorConfig(memoryMiB: 4096, cpuCount: 4))
        let pool = try NitroAllocatorConfig.parse("memory_mib: 512\ncpu_pool: 2,3\n")
        #expect(pool.cpuPool == "2,3" && pool.cpuCount == nil)
        #expect(pool.summary == "memory_mib 512, cpu_pool 2,3")
    }

    @Test("kernel releases: major and minor, and before 5.4 or not", arguments: [
        ("4.14.256-209.484.amzn2.x86_64", 4, 14, true), ("5.4.0-1", 5, 4, false), ("5.10.0", 5, 10, false),
        ("3.10.0-1160.el7.x86_64", 3, 10, true),
    ])
    func kernelReleases(release: String, major: Int, minor: Int, before: Bool) {
        let facts = KernelFacts(release: release)
        #expect(facts.major == major && facts.minor == minor)
        #expect(facts.creditUpdateOnEveryRead == before)
    }

    @Test("an unreadable release is a warning, not a guess")
    func oddRelease() {
        #expect(KernelFacts(release: "custom").creditUpdateOnEveryRead == nil)
        #expect(KernelFacts(release: "custom").checks.first?.status == .warn)
    }

    @Test("the screen wraps details at its width, under the detail column")
    func wrapping() {
        let lines = DoctorScreen.wrap(String(repeating: "word ", count: 60), first: "  ok      title            ", rest: String(repeating: " ", count: 27))
        #expect(lines.count > 1)
        #expect(lines.allSatisfy { $0.count <= DoctorScreen.width })
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix(String(repeating: " ", count: 27) + "word") })
    }
}
