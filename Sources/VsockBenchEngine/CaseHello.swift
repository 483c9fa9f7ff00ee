import VsockBenchModel
import VsockWire

/// The hello every connection of a case opens with: the wire's envelope around the case.
public typealias CaseHello = Hello<WireCase>
