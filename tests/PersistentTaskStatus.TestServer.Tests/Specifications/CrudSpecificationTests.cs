using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.TestServer.Tests.Specifications;

/// <summary>
/// MongoDB's own CRUD specification tests (unified test format, folder <c>crud/</c>), one case per test.
/// https://github.com/mongodb/specifications/tree/master/source/crud/tests/unified
/// </summary>
[Collection(SpecificationTestsCollection.Name)]
public sealed class CrudSpecificationTests(MongoFixture fixture)
{
    public static TheoryData<string> Cases => SpecificationCatalog.Cases("crud");

    [Theory]
    [MemberData(nameof(Cases))]
    public Task Spec(string caseId) => new UnifiedTestRunner(fixture).RunAsync(caseId, TestContext.Current.CancellationToken);
}
