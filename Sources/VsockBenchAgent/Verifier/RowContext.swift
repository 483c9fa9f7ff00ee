/// One request row and its response row, as byte ranges, with the rules to check them.
struct RowContext {
    let row: Int
    let request: UnsafeRawBufferPointer
    let response: UnsafeRawBufferPointer
    let columns: [AgentVerifier.Column]
    let requestCells: UnsafeBufferPointer<Range<Int>>
    let responseCells: UnsafeBufferPointer<Range<Int>>
    /// The response row's values: all its cells back to back.
    let responseValues: Range<Int>
    /// The secrets planted in this row's free text, sorted by position.
    let secrets: ArraySlice<EmbeddedSecret>

    /// Sensitivity classes, by their protobuf number.
    enum Class {
        static let none = 0
        static let name = 1
        static let email = 2
        static let card = 3
        static let phone = 4
        static let nationalID = 5
        static let freeText = 6
    }

    /// The first sensitive value (column value or planted secret) found anywhere in the
    /// masked row, cell boundaries included, reported at the column where it starts. (The
    /// verifier then looks for every row's values in the whole response: `addValues`.)
    func firstLeak() -> AgentVerificationFailure? {
        for column in columns.indices {
            let sensitivity = columns[column].sensitivity
            guard sensitivity != Class.none && sensitivity != Class.freeText else { continue }
            if let leak = leak(of: requestCells[column], from: column) { return leak }
        }
        for secret in secrets {
            let source = requestCells.firstIndex { $0.contains(secret.range.lowerBound) } ?? 0
            if let leak = leak(of: secret.range, from: source) { return leak }
        }
        return nil
    }

    /// Adds the row's sensitive values (those `firstLeak` looks for) to `scan`.
    func addValues(to scan: inout LeakScan) {
        for column in columns.indices {
            let sensitivity = columns[column].sensitivity
            guard sensitivity != Class.none && sensitivity != Class.freeText else { continue }
            scan.add(requestCells[column], of: request, row: row, column: column)
        }
        for secret in secrets {
            let source = requestCells.firstIndex { $0.contains(secret.range.lowerBound) } ?? 0
            scan.add(secret.range, of: request, row: row, column: source)
        }
    }

    private func leak(of value: Range<Int>, from source: Int) -> AgentVerificationFailure? {
        let needle = UnsafeRawBufferPointer(rebasing: request[value])
        let haystack = UnsafeRawBufferPointer(rebasing: response[responseValues])
        guard let found = ByteSearch.firstOffset(of: needle, in: haystack) else { return nil }
        let position = responseValues.lowerBound + found
        let column = responseCells.firstIndex { $0.contains(position) } ?? source
        return failure(column, .leakedSensitiveValue(sourceColumn: columnName(source)))
    }

    /// The first cell whose masked form breaks its class's rule; counts what was masked.
    func firstFormatMismatch(
        counts: inout MaskTally,
        tokens: inout NameTokenRegistry
    ) -> AgentVerificationFailure? {
        for column in columns.indices {
            let original = UnsafeRawBufferPointer(rebasing: request[requestCells[column]])
            let masked = UnsafeRawBufferPointer(rebasing: response[responseCells[column]])
            let sensitivity = columns[column].sensitivity
            if original.isEmpty || sensitivity == Class.none {
                guard MaskedFormat.equal(masked, original) else { return failure(column, .nonSensitiveValueChanged) }
                continue
            }
            switch sensitivity {
            case Class.name:
                guard MaskedFormat.isNameToken(masked) else { return failure(column, .nameTokenFormat) }
                guard tokens.record(name: original, token: masked) else {
                    return failure(column, .nameTokenInconsistent)
                }
                counts.names += 1
            case Class.email:
                guard MaskedFormat.isMaskedEmail(masked, original: original) else { return failure(column, .emailFormat) }
                counts.emails += 1
            case Class.card:
                guard MaskedFormat.isMaskedDigits(masked, original: original, keep: 4) else {
                    return failure(column, .cardFormat)
                }
                counts.cards += 1
            case Class.phone:
                guard MaskedFormat.isMaskedDigits(masked, original: original, keep: 2) else {
                    return failure(column, .phoneFormat)
                }
                counts.phones += 1
            case Class.freeText:
                let cell = requestCells[column]
                let planted = secrets.drop { $0.range.lowerBound < cell.lowerBound }
                    .prefix { $0.range.lowerBound < cell.upperBound }
                guard
                    MaskedFormat.isMaskedFreeText(
                        masked, original: original, secrets: planted, cellOffset: cell.lowerBound)
                else { return failure(column, .freeTextMismatch) }
                for secret in planted {
                    if secret.kind == .email { counts.freeTextEmails += 1 } else { counts.freeTextCards += 1 }
                }
            default:
                // National ids, and any class this verifier does not know, are redacted whole.
                guard MaskedFormat.equal(masked, MaskedFormat.redacted) else {
                    return failure(column, .nationalIDFormat)
                }
                if sensitivity == Class.nationalID { counts.nationalIDs += 1 }
            }
        }
        return nil
    }

    private func columnName(_ column: Int) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: request[columns[column].name]), as: UTF8.self)
    }

    private func failure(_ column: Int, _ rule: AgentVerificationFailure.Rule) -> AgentVerificationFailure {
        AgentVerificationFailure(row: row, column: columnName(column), rule: rule)
    }
}
