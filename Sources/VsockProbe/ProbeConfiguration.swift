/// What the probe follows and filters on; fixed when the BPF object is loaded (the filters are
/// `const volatile` globals the verifier folds into the programs).
public struct ProbeConfiguration: Sendable, Equatable {
    /// Process ids (tgids) whose syscalls, KVM_RUN ioctls and VM exits are counted.
    /// More can be added after load with ``Probe/follow(pid:)``.
    public var pids: [Int32]
    /// Whose processes `pids` are, in words, for the reports (`driver and target`, `driver`);
    /// nil where the caller does not say (`probe`, `observe`).
    public var followedProcesses: String? = nil
    /// Also follow every process and thread these processes create after load, so that
    /// `probe -- sh -c 'cmd'` counts `cmd`.
    public var followChildren: Bool
    /// Load the programs that count what processes do (system calls, KVM_RUN, VM exits, and
    /// following children). Off when there is no process to follow (`observe` without `--pid`):
    /// the system call program would otherwise run on every system call of the machine for
    /// nothing.
    public var countsProcesses: Bool
    /// Also send each write-family system call of the followed processes (its size, descriptor
    /// and time) to the ring buffer of the ``VsockTap`` given to ``Probe/init(configuration:tap:)``.
    public var capturesWrites: Bool
    /// Count only vsock packets whose source or destination port is this one; nil counts every
    /// vsock packet of the machine. Packets are filtered by connection, never by process: the
    /// receive path runs in kworkers.
    public var vsockPort: UInt32?
    /// Count only vsock packets whose source or destination CID is this one; nil: any CID.
    public var vsockCID: UInt32?
    /// Load the two programs that count vsock packets by op. `observe` turns this off: its own
    /// programs already see every packet of the port, and a second program on each packet
    /// tracepoint would cost every packet again (it fills the counts from its events instead;
    /// events its ring buffer dropped are then missing from them too, and counted as lost).
    public var countsVsockPackets: Bool
    /// Where tracefs is (mounted there when it is the default and not yet mounted); a test
    /// points this at a copy with altered `format` files.
    public var tracefsRoot: String
    /// Where the virtio devices and `/proc/interrupts` are read from to find the vsock device's IRQs.
    public var systemRoots: SystemRoots

    /// The default place of tracefs.
    public static let defaultTracefsRoot = "/sys/kernel/tracing"

    public init(
        pids: [Int32],
        followChildren: Bool = true,
        vsockPort: UInt32? = nil,
        vsockCID: UInt32? = nil,
        countsProcesses: Bool = true,
        capturesWrites: Bool = false,
        countsVsockPackets: Bool = true,
        tracefsRoot: String = ProbeConfiguration.defaultTracefsRoot,
        systemRoots: SystemRoots = SystemRoots()
    ) {
        self.pids = pids
        self.followChildren = followChildren
        self.vsockPort = vsockPort
        self.vsockCID = vsockCID
        self.countsProcesses = countsProcesses
        self.capturesWrites = capturesWrites
        self.countsVsockPackets = countsVsockPackets
        self.tracefsRoot = tracefsRoot
        self.systemRoots = systemRoots
    }
}

/// The sysfs and procfs files the probe reads besides tracefs; injectable for tests.
public struct SystemRoots: Sendable, Equatable {
    /// The directory whose `virtioN` entries are the devices bound to the vsock transport.
    public var vsockDriverDirectory: String
    /// The interrupt table naming each IRQ's handler (`virtio3-rx`...).
    public var interruptsFile: String

    public init(
        vsockDriverDirectory: String = "/sys/bus/virtio/drivers/vmw_vsock_virtio_transport",
        interruptsFile: String = "/proc/interrupts"
    ) {
        self.vsockDriverDirectory = vsockDriverDirectory
        self.interruptsFile = interruptsFile
    }
}
