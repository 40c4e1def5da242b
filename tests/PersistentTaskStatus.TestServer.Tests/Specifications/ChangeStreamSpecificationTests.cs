using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.TestServer.Tests.Specifications;

/// <summary>
/// MongoDB's own Change Streams specification tests (unified test format, folder <c>change-streams/</c>), one case per test.
/// https://github.com/mongodb/specifications/tree/master/source/change-streams/tests/unified
/// </summary>
[Collection(SpecificationTestsCollection.Name)]
public sealed class ChangeStreamSpecificationTests(MongoFixture fixture)
{
    public static TheoryData<string> Cases => SpecificationCatalog.Cases("change-streams");

    [Theory]
    [MemberData(nameof(Cases))]
    public Task Spec(string caseId) => new UnifiedTestRunner(fixture).RunAsync(caseId, TestContext.Current.CancellationToken);
}
