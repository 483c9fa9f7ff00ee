import Testing
@testable import VsockProbe

@Suite struct TracepointFormatTests {
    @Test func parsesFieldLines() {
        let format = TracepointFormat(parsing: """
            name: sys_enter_ioctl
            format:
            \tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
            \tfield:unsigned int cmd;\toffset:24;\tsize:8;\tsigned:0;
            \tfield:__data_loc char[] name;\toffset:12;\tsize:4;\tsigned:0;
            \tfield:char comm[16];\toffset:8;\tsize:16;\tsigned:0;

            print fmt: "fd: 0x%08lx"
            """)
        #expect(format.field(named: "cmd") == TracepointField(name: "cmd", offset: 24, size: 8))
        #expect(format.field(named: "name") == TracepointField(name: "name", offset: 12, size: 4))
        #expect(format.field(named: "comm") == TracepointField(name: "comm", offset: 8, size: 16))
        #expect(format.fields.count == 4)
    }
}
