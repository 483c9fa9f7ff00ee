import CVsockProbe

/// Names of KVM exit reasons for reports, as the kernel's tracepoints print them.
enum KVMExitReasons {
    /// `kvm_exit`'s `isa` field: which table `exit_reason` belongs to.
    static let isaVMX: UInt32 = 1
    static let isaSVM: UInt32 = 2

    /// The name of a `kvm_exits` map key, `(isa << 32) | reason`: a VMX or SVM reason name, else the number.
    static func name(ofExitKey key: UInt64) -> String {
        let isa = UInt32(truncatingIfNeeded: key >> 32)
        let reason = UInt32(truncatingIfNeeded: key)
        switch isa {
        case isaVMX: return vmx[reason] ?? "\(reason)"
        case isaSVM: return svm[reason] ?? "0x" + String(reason, radix: 16)
        default: return "\(reason)"
        }
    }

    /// The name of a `userspace_exits` map key: `KVM_EXIT_<name>` without the prefix, or
    /// `RESTART` (KVM_RUN interrupted by a signal, -EINTR) / `ERROR_<errno>` when KVM_RUN failed.
    static func name(ofUserspaceKey key: UInt32) -> String {
        if key & VSB_USERSPACE_ERRNO != 0 {
            let errno = key & ~VSB_USERSPACE_ERRNO
            return errno == 4 ? "RESTART" : "ERROR_\(errno)"
        }
        return userspace.indices.contains(Int(key)) ? userspace[Int(key)] : "\(key)"
    }

    /// `KVM_EXIT_*` of `<linux/kvm.h>`, by value.
    static let userspace: [String] = [
        "UNKNOWN", "EXCEPTION", "IO", "HYPERCALL", "DEBUG", "HLT", "MMIO", "IRQ_WINDOW_OPEN", "SHUTDOWN",
        "FAIL_ENTRY", "INTR", "SET_TPR", "TPR_ACCESS", "S390_SIEIC", "S390_RESET", "DCR", "NMI",
        "INTERNAL_ERROR", "OSI", "PAPR_HCALL", "S390_UCONTROL", "WATCHDOG", "S390_TSCH", "EPR",
        "SYSTEM_EVENT", "S390_STSI", "IOAPIC_EOI", "HYPERV", "ARM_NISV", "X86_RDMSR", "X86_WRMSR",
        "DIRTY_RING_FULL", "AP_RESET_HOLD", "X86_BUS_LOCK", "XEN", "RISCV_SBI", "RISCV_CSR", "NOTIFY",
        "MEMORY_FAULT",
    ]

    /// VMX basic exit reasons (Intel SDM, appendix C), as `kvm_exit` prints them.
    static let vmx: [UInt32: String] = [
        0: "EXCEPTION_NMI", 1: "EXTERNAL_INTERRUPT", 2: "TRIPLE_FAULT", 3: "INIT_SIGNAL", 4: "SIPI_SIGNAL",
        7: "INTERRUPT_WINDOW", 8: "NMI_WINDOW", 9: "TASK_SWITCH", 10: "CPUID", 12: "HLT", 13: "INVD",
        14: "INVLPG", 15: "RDPMC", 16: "RDTSC", 18: "VMCALL", 19: "VMCLEAR", 20: "VMLAUNCH", 21: "VMPTRLD",
        22: "VMPTRST", 23: "VMREAD", 24: "VMRESUME", 25: "VMWRITE", 26: "VMOFF", 27: "VMON", 28: "CR_ACCESS",
        29: "DR_ACCESS", 30: "IO_INSTRUCTION", 31: "MSR_READ", 32: "MSR_WRITE", 33: "INVALID_STATE",
        34: "MSR_LOAD_FAIL", 36: "MWAIT_INSTRUCTION", 37: "MONITOR_TRAP_FLAG", 39: "MONITOR_INSTRUCTION",
        40: "PAUSE_INSTRUCTION", 41: "MCE_DURING_VMENTRY", 43: "TPR_BELOW_THRESHOLD", 44: "APIC_ACCESS",
        45: "EOI_INDUCED", 46: "GDTR_IDTR", 47: "LDTR_TR", 48: "EPT_VIOLATION", 49: "EPT_MISCONFIG",
        50: "INVEPT", 51: "RDTSCP", 52: "PREEMPTION_TIMER", 53: "INVVPID", 54: "WBINVD", 55: "XSETBV",
        56: "APIC_WRITE", 57: "RDRAND", 58: "INVPCID", 59: "VMFUNC", 60: "ENCLS", 61: "RDSEED",
        62: "PML_FULL", 63: "XSAVES", 64: "XRSTORS", 67: "UMWAIT", 68: "TPAUSE", 74: "BUS_LOCK",
        75: "NOTIFY", 77: "TDCALL", 84: "MSR_READ_IMM", 85: "MSR_WRITE_IMM",
    ]

    /// The SVM exit codes that matter for I/O-bound guests (AMD APM vol. 2, appendix C).
    static let svm: [UInt32: String] = [
        0x060: "interrupt", 0x061: "nmi", 0x062: "smi", 0x063: "init", 0x064: "vintr", 0x072: "cpuid",
        0x077: "pause", 0x078: "hlt", 0x07b: "io", 0x07c: "msr", 0x07f: "shutdown", 0x081: "hypercall",
        0x08b: "mwait", 0x0a6: "idle-halt", 0x400: "npf", 0x401: "avic_incomplete_ipi",
        0x402: "avic_unaccelerated_access", 0x403: "vmgexit",
    ]
}
