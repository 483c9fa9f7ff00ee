import Testing

@testable import VsockBenchSupport

/// The first line of /proc/stat: busy, idle and stolen ticks of the whole machine.
@Suite struct MachineTicksTests {
    static func parse(_ text: String) -> MachineTicks? { MachineTicks.parse(ArraySlice(Array(text.utf8))) }

    @Test func theCPULineIsReadAsBusyIdleAndSteal() throws {
        // user nice system idle iowait irq softirq steal guest guest_nice
        let ticks = try #require(Self.parse("cpu  50245 105 10536 88627 879 0 563 38 0 0\ncpu0 25959 105 7448 41259 481 0 114 19 0 0\n"))
        #expect(ticks.user == 50245 + 105)
        #expect(ticks.system == 10536 + 0 + 563)
        #expect(ticks.busy == ticks.user + ticks.system)
        #expect(ticks.idle == 88627 + 879)
        #expect(ticks.steal == 38)
        #expect(ticks.total == ticks.busy + ticks.idle + 38)
    }

    /// A host running virtual machines counts their time in user (and nice) and again in
    /// guest (and guest_nice): it is the VMs', not this machine's own programs'.
    @Test func virtualMachinesTimeIsApartFromUserSpace() throws {
        let ticks = try #require(Self.parse("cpu  1000 50 300 5000 10 0 20 3 400 30\n"))
        #expect(ticks.guest == 430)
        #expect(ticks.user == 1050 - 430)
        #expect(ticks.busy == 1050 + 300 + 20, "counted once")
        #expect(ticks.total == 1050 + 320 + 5010 + 3)
        let old = try #require(Self.parse("cpu  1000 50 300 5000 10 0 20 3\n"), "before 2.6.24: no guest fields")
        #expect(old.guest == 0 && old.user == 1050)
        #expect(Self.parse("cpu  1 2 3 4 5 6 7 18446744073709551619 0 0\n") == nil, "a sum past 64 bits is refused, not wrapped")
    }

    @Test func otherLinesAndShortLinesAreRefused() {
        #expect(Self.parse("cpu0 1 2 3 4 5 6 7 8 9 10\n") == nil, "a CPU's own line is not the machine's")
        #expect(Self.parse("cpu  1 2 3 4 5 6 7\n") == nil, "no steal field (before 2.6.11)")
        #expect(Self.parse("cpu  1 2 3 4 5 6 7 x\n") == nil)
        #expect(Self.parse("cpu  1 2 3 4 5 6 7 99999999999999999999999\n") == nil, "beyond 64 bits")
        #expect(Self.parse("") == nil)
    }

    /// The whole file: every CPU's own line by its name, the machine's among them; the
    /// interrupt counts and the rest left out.
    @Test func eachCPULineIsReadByItsName() throws {
        let text = "cpu  50 5 10 100 1 0 2 3 0 0\ncpu0 30 5 6 40 1 0 1 2 0 0\ncpu1 20 0 4 60 0 0 1 1 0 0\nintr 123 4 5\nctxt 99\ncpu2 1 2 3\n"
        let each = MachineTicks.parseEach(text)
        #expect(Set(each.keys) == ["cpu", "cpu0", "cpu1"], "cpu2's short line refused, intr and ctxt are not CPUs")
        #expect(each["cpu"] == Self.parse(text))
        #expect(each["cpu0"] == MachineTicks(user: 35, system: 7, idle: 41, steal: 2))
        #expect(each["cpu1"]?.busy == 25)
        #expect(MachineTicks.parseEach("").isEmpty)
    }

    @Test func aDifferenceNeedsEveryCountToGrow() throws {
        let earlier = MachineTicks(user: 100, system: 30, idle: 50, steal: 5)
        let later = MachineTicks(user: 160, system: 31, idle: 70, steal: 9)
        #expect(later - earlier == MachineTicks(user: 60, system: 1, idle: 20, steal: 4))
        #expect(earlier - later == nil)
        #expect(MachineTicks(user: 160, system: 31, idle: 40, steal: 9) - earlier == nil, "idle went back: no difference to trust")
    }

    @Test func thisMachineHasAReading() throws {
        let first = try #require(MachineTicks.read(), "/proc/stat is readable on Linux")
        let second = try #require(MachineTicks.read())
        #expect(second - first != nil, "counts only grow")
        #expect(first.total > 0)
    }
}
