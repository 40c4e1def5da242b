using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.TestServer.Tests.Specifications;

/// <summary>
/// MongoDB's own Retryable Writes specification tests (unified test format, folder <c>retryable-writes/</c>), one case per test.
/// https://github.com/mongodb/specifications/tree/master/source/retryable-writes/tests/unified
/// </summary>
[Collection(SpecificationTestsCollection.Name)]
public sealed class RetryableWritesSpecificationTests(MongoFixture fixture)
{
    public static TheoryData<string> Cases => SpecificationCatalog.Cases("retryable-writes");

    [Theory]
    [MemberData(nameof(Cases))]
    public Task Spec(string caseId) => new UnifiedTestRunner(fixture).RunAsync(caseId, TestContext.Current.CancellationToken);
}
