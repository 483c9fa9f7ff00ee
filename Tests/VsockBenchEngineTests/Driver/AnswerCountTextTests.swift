import Testing
@testable import VsockBenchEngine

/// The count said for an answer with no request outstanding (a service answering twice) is
/// English for one request as for many: it read "2 answers to 1 requests sent".
@Suite struct AnswerCountTextTests {
    @Test func oneRequestIsSingular() {
        #expect(RequestResponseDriver.answersText(1) == "2 answers to 1 request sent")
    }

    @Test func manyRequestsArePlural() {
        #expect(RequestResponseDriver.answersText(5) == "6 answers to 5 requests sent")
        #expect(RequestResponseDriver.answersText(0) == "1 answer to 0 requests sent")
    }
}
