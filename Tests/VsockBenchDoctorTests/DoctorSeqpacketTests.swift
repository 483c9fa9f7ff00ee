import Testing

@testable import VsockTransport
@testable import VsockBenchDoctor

/// SOCK_SEQPACKET in doctor: AF_VSOCK's (Linux 5.14+) and AF_UNIX's, on fake machines and on
/// this one. Doctor creates the sockets and closes them; it never connects.
@Suite struct DoctorSeqpacketTests {
    @Test("a 6.1 kernel that creates AF_VSOCK SOCK_SEQPACKET: ok, with what only a connect can tell")
    func vsockSeqpacketWorks() throws {
        let machine = try FakeMachine()
        let check = try machine.report().required("vsock_seqpacket")
        #expect(check.status == .ok)
        #expect(check.group == .vsock)
        #expect(check.detail.contains("vsock+seqpacket://CID:PORT"))
        #expect(check.notes.contains { $0.contains("ESOCKTNOSUPPORT") })
        #expect(check.advice == nil)
    }

    @Test("a 5.10 kernel refusing the socket type: missing, the advice names 5.14+ and this kernel")
    func vsockSeqpacketOnAnOldKernel() throws {
        let machine = try FakeMachine()
        machine.kernelRelease = "5.10.0-28-amd64"
        machine.vsock.seqpacketSupported = false
        machine.vsock.seqpacketError = "socket (AF_VSOCK): Socket type not supported (errno 94)"
        let check = try machine.report().required("vsock_seqpacket")
        #expect(check.status == .missing)
        #expect(check.detail.contains("errno 94"))
        #expect(check.advice?.contains("Linux 5.14+") == true)
        #expect(check.advice?.contains("this kernel is 5.10.0-28-amd64") == true, "\(check)")
        #expect(check.advice?.contains("vsock://") == true)
    }

    @Test("a new kernel refusing it anyway (a seccomp filter): missing, without blaming the release")
    func vsockSeqpacketRefusedOnANewKernel() throws {
        let machine = try FakeMachine()
        machine.vsock.seqpacketSupported = false
        machine.vsock.seqpacketError = "socket (AF_VSOCK): Operation not permitted (errno 1)"
        let check = try machine.report().required("vsock_seqpacket")
        #expect(check.status == .missing)
        #expect(check.advice?.contains("this kernel is") == false)
    }

    @Test("AF_VSOCK there but the seqpacket answer not given: a warning, not a verdict")
    func vsockSeqpacketNotAsked() throws {
        let machine = try FakeMachine()
        machine.vsock.seqpacketSupported = nil
        let check = try machine.report().required("vsock_seqpacket")
        #expect(check.status == .warn)
        #expect(check.advice?.contains("5.14+") == true)
    }

    @Test("no AF_VSOCK at all: vsock+seqpacket is missing too, unix+seqpacket suggested")
    func noVsockNoSeqpacket() throws {
        let machine = try FakeMachine()
        machine.vsock = VsockSupport(socketSupported: false, socketError: "socket (AF_VSOCK): Address family not supported by protocol (errno 97)")
        let check = try machine.report().required("vsock_seqpacket")
        #expect(check.status == .missing)
        #expect(check.advice?.contains("unix+seqpacket://") == true)
    }

    @Test("AF_UNIX SOCK_SEQPACKET: ok in the kernel group, missing with the reason when refused")
    func unixSeqpacket() throws {
        let machine = try FakeMachine()
        let works = machine.report()
        #expect(try works.required("unix_seqpacket").status == .ok)
        #expect(try works.required("unix_seqpacket").group == .kernel)
        #expect(works.kernel.unixSeqpacket)

        machine.unixSeqpacket = .fails("socket: Operation not permitted (errno 1)")
        let refused = machine.report()
        let check = try refused.required("unix_seqpacket")
        #expect(check.status == .missing)
        #expect(check.detail.contains("errno 1"))
        #expect(refused.kernel.unixSeqpacketError == "socket: Operation not permitted (errno 1)")
    }

    @Test("this machine (Linux 6.x): unix seqpacket works; AF_VSOCK seqpacket is created where AF_VSOCK is")
    func thisMachine() throws {
        let report = DoctorReport.gather(DoctorEnvironment(loadsFentry: false))
        #expect(try report.required("unix_seqpacket").status == .ok)
        #expect(UnixSocketSupport.seqpacketProblem() == nil)
        let support = VsockSupport.inspect(device: "/dev/vsock")
        if support.socketSupported {
            #expect(support.seqpacketSupported == true, "\(support.seqpacketError ?? "")")
            #expect(try report.required("vsock_seqpacket").status == .ok)
        } else {
            #expect(support.seqpacketSupported == nil)
        }
    }
}
