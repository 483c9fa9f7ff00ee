/// Compares what a program reads with the running kernel's record layout.
enum LayoutCheck {
    /// The mismatches, one sentence each; empty when every field is where the program reads it.
    static func mismatches(of program: ProbeProgram, against format: TracepointFormat) -> [String] {
        program.fields.compactMap { expected in
            guard let actual = format.field(named: expected.name) else {
                return "field \(expected.name) is missing"
            }
            guard actual.offset == expected.offset, actual.size == expected.size else {
                return "field \(expected.name) is at offset \(actual.offset) size \(actual.size), "
                    + "the program reads offset \(expected.offset) size \(expected.size)"
            }
            return nil
        }
    }
}
