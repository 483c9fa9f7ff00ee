import Foundation
import Testing

@testable import VsockProbe

/// The argument check of the raw vsock programs, on format files as kernels write them: the
/// tracepoints' record fields mirror their prototype, so the fields after the `common_` ones are
/// the arguments in order.
@Suite struct LayoutCheckTests {
    static let programs = [ProbeProgram.vsockTx, .vsockRx, .observeSent, .observeReceived]

    @Test("the four vsock programs are raw and read the prototype's arguments, sizes from vsb_vsock_pkt")
    func programsReadTheArguments() {
        let eight: [(String, Int)] = [
            ("src_cid", 4), ("src_port", 4), ("dst_cid", 4), ("dst_port", 4), ("len", 4), ("type", 2), ("op", 2),
            ("flags", 4),
        ]
        for program in Self.programs {
            guard case .raw = program.attachment else {
                Issue.record("\(program.name) is not a raw tracepoint program")
                continue
            }
            #expect(program.fields.isEmpty, "\(program.name) reads no record")
            let expected = program.name == "observe_received" ? eight + [("buf_alloc", 4), ("fwd_cnt", 4)] : eight
            #expect(program.arguments.map(\.name) == expected.map(\.0), "\(program.name)")
            #expect(program.arguments.map(\.size) == expected.map(\.1), "\(program.name)")
            #expect(program.arguments.map(\.index) == Array(0..<expected.count), "\(program.name)")
        }
    }

    @Test("Linux 6.1 (the lab's Debian cloud kernel): every vsock program matches")
    func acceptsLinux61() {
        for program in Self.programs {
            let format = program.event == "virtio_transport_alloc_pkt" ? Formats.allocPkt61 : Formats.recvPkt61
            #expect(LayoutCheck.mismatches(of: program, against: TracepointFormat(parsing: format)).isEmpty, "\(program.name)")
        }
    }

    @Test("an argument added at the end is fine: 6.18's alloc_pkt has bool zcopy after flags")
    func acceptsTrailingArgument() {
        let withZcopy = TracepointFormat(parsing: Formats.allocPkt61.replacingOccurrences(
            of: Formats.flagsLine, with: Formats.flagsLine + "\n\tfield:bool zcopy;\toffset:36;\tsize:1;\tsigned:0;"))
        #expect(withZcopy.fields.last?.name == "zcopy")
        #expect(LayoutCheck.mismatches(of: .vsockTx, against: withZcopy).isEmpty)
        #expect(LayoutCheck.mismatches(of: .observeSent, against: withZcopy).isEmpty)

        let recvWithMore = TracepointFormat(parsing: Formats.recvPkt61.replacingOccurrences(
            of: Formats.fwdCntLine, with: Formats.fwdCntLine + "\n\tfield:__u32 future;\toffset:44;\tsize:4;\tsigned:0;"))
        #expect(LayoutCheck.mismatches(of: .observeReceived, against: recvWithMore).isEmpty)
    }

    @Test("swapped arguments: each position says what it holds and what the program reads")
    func rejectsSwappedArguments() {
        let swapped = TracepointFormat(parsing: Formats.recvPkt61
            .replacingOccurrences(of: "__u16 type;", with: "__u16 SWAP;")
            .replacingOccurrences(of: "__u16 op;", with: "__u16 type;")
            .replacingOccurrences(of: "__u16 SWAP;", with: "__u16 op;"))
        let expected = [
            "argument 6 is `op` (size 2), the program reads `type` (size 2)",
            "argument 7 is `type` (size 2), the program reads `op` (size 2)",
        ]
        #expect(LayoutCheck.mismatches(of: .observeReceived, against: swapped) == expected)
        #expect(LayoutCheck.mismatches(of: .vsockRx, against: swapped) == expected)
    }

    @Test("a renamed or resized argument is refused with the sentence")
    func rejectsRenamedOrResizedArgument() {
        let renamed = TracepointFormat(parsing: Formats.allocPkt61.replacingOccurrences(
            of: "field:__u16 op;\toffset:30;\tsize:2;", with: "field:__u32 foo;\toffset:30;\tsize:4;"))
        #expect(LayoutCheck.mismatches(of: .vsockTx, against: renamed) == [
            "argument 7 is `foo` (size 4), the program reads `op` (size 2)"
        ])
        let resized = TracepointFormat(parsing: Formats.allocPkt61.replacingOccurrences(
            of: "field:__u32 len;\toffset:24;\tsize:4;", with: "field:__u64 len;\toffset:24;\tsize:8;"))
        #expect(LayoutCheck.mismatches(of: .observeSent, against: resized) == [
            "argument 5 is `len` (size 8), the program reads `len` (size 4)"
        ])
    }

    @Test("an argument inserted in the middle shifts the rest: every one after it is refused")
    func rejectsInsertedArgument() {
        let inserted = TracepointFormat(parsing: Formats.allocPkt61.replacingOccurrences(
            of: "\tfield:__u32 len;", with: "\tfield:__u32 vsk;\toffset:24;\tsize:4;\tsigned:0;\n\tfield:__u32 len;"))
        let mismatches = LayoutCheck.mismatches(of: .vsockTx, against: inserted)
        #expect(mismatches.first == "argument 5 is `vsk` (size 4), the program reads `len` (size 4)")
        #expect(mismatches.count == 4, "\(mismatches)")
    }

    @Test("fewer arguments than the program reads: the missing one is named")
    func rejectsMissingArgument() {
        let short = TracepointFormat(parsing: Formats.recvPkt61.replacingOccurrences(of: Formats.fwdCntLine, with: ""))
        #expect(LayoutCheck.mismatches(of: .observeReceived, against: short) == [
            "argument 10 is missing, the program reads `fwd_cnt` (size 4)"
        ])
        #expect(LayoutCheck.mismatches(of: .vsockRx, against: short).isEmpty, "count_vsock_rx reads eight")
    }

    @Test("common_ fields are not arguments, wherever they are")
    func skipsCommonFields() {
        let format = TracepointFormat(parsing: Formats.recvPkt61.replacingOccurrences(
            of: "\tfield:__u32 src_cid;", with: "\tfield:int common_extra;\toffset:8;\tsize:4;\tsigned:1;\n\tfield:__u32 src_cid;"))
        #expect(LayoutCheck.mismatches(of: .observeReceived, against: format).isEmpty)
    }
}

/// The vsock format files of the lab's kernel (Debian 6.1.0-57-cloud-amd64), as the guest printed them.
enum Formats {
    static let flagsLine = "\tfield:__u32 flags;\toffset:32;\tsize:4;\tsigned:0;"
    static let fwdCntLine = "\tfield:__u32 fwd_cnt;\toffset:40;\tsize:4;\tsigned:0;"

    private static let header = """
        format:
        \tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
        \tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;
        \tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;
        \tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;

        \tfield:__u32 src_cid;\toffset:8;\tsize:4;\tsigned:0;
        \tfield:__u32 src_port;\toffset:12;\tsize:4;\tsigned:0;
        \tfield:__u32 dst_cid;\toffset:16;\tsize:4;\tsigned:0;
        \tfield:__u32 dst_port;\toffset:20;\tsize:4;\tsigned:0;
        \tfield:__u32 len;\toffset:24;\tsize:4;\tsigned:0;
        \tfield:__u16 type;\toffset:28;\tsize:2;\tsigned:0;
        \tfield:__u16 op;\toffset:30;\tsize:2;\tsigned:0;
        \(flagsLine)
        """

    private static let ops = """
        __print_symbolic(REC->type, { 1, "STREAM" }, { 2, "SEQPACKET" }), __print_symbolic(REC->op, { 0, "INVALID" }, \
        { 1, "REQUEST" }, { 2, "RESPONSE" }, { 3, "RST" }, { 4, "SHUTDOWN" }, { 5, "RW" }, { 6, "CREDIT_UPDATE" }, \
        { 7, "CREDIT_REQUEST" })
        """

    static let allocPkt61 = """
        name: virtio_transport_alloc_pkt
        ID: 1393
        \(header)

        print fmt: "%u:%u -> %u:%u len=%u type=%s op=%s flags=%#x", REC->src_cid, REC->src_port, REC->dst_cid, \
        REC->dst_port, REC->len, \(ops), REC->flags

        """

    static let recvPkt61 = """
        name: virtio_transport_recv_pkt
        ID: 1392
        \(header)
        \tfield:__u32 buf_alloc;\toffset:36;\tsize:4;\tsigned:0;
        \(fwdCntLine)

        print fmt: "%u:%u -> %u:%u len=%u type=%s op=%s flags=%#x buf_alloc=%u fwd_cnt=%u", REC->src_cid, \
        REC->src_port, REC->dst_cid, REC->dst_port, REC->len, \(ops), REC->flags, REC->buf_alloc, REC->fwd_cnt

        """
}
