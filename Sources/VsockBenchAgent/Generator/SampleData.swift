/// The word lists rows are drawn from. Some entries are non-ASCII on purpose (names, cities,
/// notes): the agent must pass them through or tokenize them without breaking UTF-8.
///
/// Constraints the verifier relies on: no plain note contains `@`, a run of 13 or more digits,
/// or a full customer name, so everything the agent finds in a note was planted by the
/// generator and recorded.
enum SampleData {
    /// First names: (as displayed, ASCII form for email addresses).
    static let firstNames: [([UInt8], [UInt8])] = pairs([
        ("Olivia", "olivia"), ("Liam", "liam"), ("José", "jose"), ("Zoë", "zoe"), ("Łukasz", "lukasz"),
        ("Søren", "soren"), ("Chloé", "chloe"), ("Björn", "bjorn"), ("Ngozi", "ngozi"), ("Mei", "mei"),
        ("Aarav", "aarav"), ("Иван", "ivan"), ("Fatima", "fatima"), ("Hiroshi", "hiroshi"),
        ("Amélie", "amelie"), ("Noah", "noah"), ("Emma", "emma"), ("Mateo", "mateo"), ("Sofía", "sofia"),
        ("Oliver", "oliver"), ("Ava", "ava"), ("Ethan", "ethan"), ("İlker", "ilker"), ("Siobhán", "siobhan"),
        ("Dmitri", "dmitri"), ("Priya", "priya"), ("Kwame", "kwame"), ("Lucas", "lucas"),
        ("Ingrid", "ingrid"), ("Carlos", "carlos"), ("Yuki", "yuki"), ("Anna", "anna"),
    ])

    /// Last names: (as displayed, ASCII form for email addresses).
    static let lastNames: [([UInt8], [UInt8])] = pairs([
        ("Smith", "smith"), ("García", "garcia"), ("Müller", "muller"), ("Nowak", "nowak"),
        ("O'Brien", "obrien"), ("Østergaard", "ostergaard"), ("Dubois", "dubois"), ("Rossi", "rossi"),
        ("Kowalski", "kowalski"), ("Tanaka", "tanaka"), ("Okafor", "okafor"), ("Петров", "petrov"),
        ("Chen", "chen"), ("Patel", "patel"), ("Johansson", "johansson"), ("Fernández", "fernandez"),
        ("Nguyen", "nguyen"), ("Brown", "brown"), ("Wilson", "wilson"), ("Yılmaz", "yilmaz"), ("Kim", "kim"),
        ("Silva", "silva"), ("Jensen", "jensen"), ("Mensah", "mensah"), ("Lefèvre", "lefevre"),
        ("Novák", "novak"), ("Schmidt", "schmidt"), ("Williams", "williams"), ("山田", "yamada"),
        ("Haddad", "haddad"),
    ])

    static let emailDomains: [[UInt8]] = bytes([
        "example.com", "mail.example.org", "corp.example.net", "example.co.uk", "post.example.de", "example.fr",
    ])

    static let cities: [[UInt8]] = bytes([
        "São Paulo", "Zürich", "Kraków", "Москва", "東京", "Reykjavík", "München", "Lyon", "Austin",
        "Nairobi", "Montréal", "İstanbul", "Lisboa", "Dublin", "Seoul", "Cape Town",
    ])

    /// Card number shapes: (issuer prefix, total digits), check digit included.
    static let cardShapes: [([UInt8], Int)] = [
        ("4", 16), ("4", 13), ("4", 19), ("51", 16), ("52", 16), ("55", 16), ("2221", 16), ("34", 15),
        ("37", 15), ("6011", 16), ("35", 16),
    ].map { (Array($0.0.utf8), $0.1) }

    /// Phone formats: `#` is a random digit.
    static let phoneFormats: [[UInt8]] = bytes([
        "+1 (###) ###-####", "+44 20 #### ####", "+49 30 ########", "+33 # ## ## ## ##", "+81 3-####-####",
        "+55 11 9####-####", "(0###) ### ####",
    ])

    /// National-id-like formats: `#` is a random digit, `A` a random capital letter.
    static let nationalIDFormats: [[UInt8]] = bytes([
        "###-##-####", "AA######A", "###########", "## ## ## ### ###",
    ])

    /// Notes with nothing to mask.
    static let plainNotes: [[UInt8]] = bytes([
        "Customer requested expedited shipping.", "Livraison prévue la semaine prochaine.",
        "Bitte Rückruf am Nachmittag.", "顧客は返品を希望しています。", "Left at front desk, signed by reception.",
        "Called 3 times, no answer.", "Discount code applied at checkout.", "Посылка повреждена при доставке.",
        "Gift wrap requested — add a card note.", "Address verified against the last 2 orders.",
        "Paid in 3 instalments of 19.99 each.", "Ticket escalated to tier 2 support.",
        "Zákazník chce vrátit zboží.",
    ])

    /// Notes around an email: (before, after).
    static let emailNotes: [([UInt8], [UInt8])] = pairs([
        ("Contact ", " about the invoice."), ("Send the receipt to ", " please."),
        ("Écrire à ", " pour le suivi."), ("Customer asked us to use ", " from now on."),
    ])

    /// Notes around a Luhn-valid card number: (before, after).
    static let cardNotes: [([UInt8], [UInt8])] = pairs([
        ("Customer read out card ", " over the phone."), ("Charge ", " again, first attempt failed."),
        ("Karte ", " wurde abgelehnt."),
    ])

    /// Notes around a 16-digit number that fails Luhn and must stay as it is: (before, after).
    static let referenceNotes: [([UInt8], [UInt8])] = pairs([
        ("Order reference ", " pending review."), ("Tracking number ", " handed to courier."),
    ])

    static let sql: [UInt8] = Array(
        ("SELECT order_id, customer_name, email, card_number, phone, national_id, amount, created_at, city, note "
            + "FROM orders WHERE created_at >= $1 AND created_at < $2 ORDER BY order_id").utf8)

    private static func bytes(_ strings: [String]) -> [[UInt8]] {
        strings.map { Array($0.utf8) }
    }

    private static func pairs(_ strings: [(String, String)]) -> [([UInt8], [UInt8])] {
        strings.map { (Array($0.0.utf8), Array($0.1.utf8)) }
    }
}
