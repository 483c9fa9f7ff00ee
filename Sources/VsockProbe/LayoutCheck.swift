/// Compares what a program reads with the running kernel's record layout or, for a raw
/// tracepoint program, with the tracepoint's arguments as its format file lists them.
enum LayoutCheck {
    /// The mismatches, one sentence each; empty when every field is where the program reads it
    /// and every argument where the program takes it.
    static func mismatches(of program: ProbeProgram, against format: TracepointFormat) -> [String] {
        fieldMismatches(of: program, against: format) + argumentMismatches(of: program, against: format)
    }

    private static func fieldMismatches(of program: ProbeProgram, against format: TracepointFormat) -> [String] {
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

    /// The record of a tracepoint whose fields mirror its prototype lists the arguments in order
    /// after the `common_` fields: argument N (from 1) must have the name and size the program
    /// reads. Fields after the last argument read (a kernel adding one at the end) do not matter.
    private static func argumentMismatches(of program: ProbeProgram, against format: TracepointFormat) -> [String] {
        guard !program.arguments.isEmpty else { return [] }
        let arguments = format.fields.filter { !$0.name.hasPrefix("common_") }
        return program.arguments.compactMap { expected in
            let reads = "the program reads `\(expected.name)` (size \(expected.size))"
            guard expected.index < arguments.count else {
                return "argument \(expected.index + 1) is missing, \(reads)"
            }
            let actual = arguments[expected.index]
            guard actual.name == expected.name, actual.size == expected.size else {
                return "argument \(expected.index + 1) is `\(actual.name)` (size \(actual.size)), \(reads)"
            }
            return nil
        }
    }
}
